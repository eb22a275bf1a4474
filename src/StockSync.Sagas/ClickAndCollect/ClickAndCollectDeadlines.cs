using StockSync.Persistence.Deadlines;

namespace StockSync.Sagas.ClickAndCollect;

/// <summary>The unpaid hold of a click-and-collect order fell due (published by the deadline sweeper).</summary>
public sealed record PickupHoldExpired(Guid CorrelationId, DateTime DueAt);

/// <summary>The pickup reminder of a click-and-collect order fell due (published by the deadline sweeper).</summary>
public sealed record PickupReminderElapsed(Guid CorrelationId, DateTime DueAt);

/// <summary>The pickup window of a click-and-collect order ended (published by the deadline sweeper).</summary>
public sealed record PickupWindowExpired(Guid CorrelationId, DateTime DueAt);

/// <summary>The deadline columns of <c>click_and_collect_sagas</c> and the events they turn into.</summary>
public static class ClickAndCollectDeadlines
{
    /// <summary>The sweeps the host registers with the deadline sweeper.</summary>
    public static IReadOnlyList<IDeadlineSweep> Sweeps { get; } =
    [
        new DeadlineSweep<ClickAndCollectState, PickupHoldExpired>(
            ClickAndCollectStateMap.Table, s => s.HoldExpiresAt, (s, due) => new PickupHoldExpired(s.CorrelationId, due)),
        new DeadlineSweep<ClickAndCollectState, PickupReminderElapsed>(
            ClickAndCollectStateMap.Table, s => s.PickupReminderAt, (s, due) => new PickupReminderElapsed(s.CorrelationId, due)),
        new DeadlineSweep<ClickAndCollectState, PickupWindowExpired>(
            ClickAndCollectStateMap.Table, s => s.PickupWindowEndsAt, (s, due) => new PickupWindowExpired(s.CorrelationId, due)),
    ];
}
