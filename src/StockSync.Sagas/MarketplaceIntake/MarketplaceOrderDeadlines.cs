using StockSync.Persistence.Deadlines;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>The warning share of a marketplace order's acknowledgment window passed (published by the deadline sweeper).</summary>
public sealed record MarketplaceAcknowledgementWarningDue(Guid CorrelationId, DateTime DueAt);

/// <summary>A marketplace order's acknowledgment deadline passed (published by the deadline sweeper).</summary>
public sealed record MarketplaceAcknowledgementDeadlinePassed(Guid CorrelationId, DateTime DueAt);

/// <summary>The next acknowledgment attempt of a marketplace order fell due (published by the deadline sweeper).</summary>
public sealed record MarketplaceAcknowledgementAttemptDue(Guid CorrelationId, DateTime DueAt);

/// <summary>The deadline columns of <c>marketplace_order_sagas</c>.</summary>
public static class MarketplaceOrderDeadlines
{
    public static IReadOnlyList<IDeadlineSweep> Sweeps { get; } =
    [
        new DeadlineSweep<MarketplaceOrderState, MarketplaceAcknowledgementWarningDue>(
            MarketplaceOrderStateMap.Table, s => s.WarningAt, (s, due) => new MarketplaceAcknowledgementWarningDue(s.CorrelationId, due)),
        new DeadlineSweep<MarketplaceOrderState, MarketplaceAcknowledgementDeadlinePassed>(
            MarketplaceOrderStateMap.Table, s => s.AcknowledgementDueAt, (s, due) => new MarketplaceAcknowledgementDeadlinePassed(s.CorrelationId, due)),
        new DeadlineSweep<MarketplaceOrderState, MarketplaceAcknowledgementAttemptDue>(
            MarketplaceOrderStateMap.Table, s => s.NextAttemptAt, (s, due) => new MarketplaceAcknowledgementAttemptDue(s.CorrelationId, due)),
    ];
}
