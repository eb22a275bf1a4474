using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Orders;
using StockSync.Persistence;
using StockSync.Sagas.ClickAndCollect;
using StockSync.Sagas.OrderFulfillment;

namespace StockSync.Sagas;

/// <summary>Reads order sagas for the HTTP API: the same rows operators read in SQL.</summary>
public sealed class OrderQueries(StockSyncDbContext db)
{
    /// <summary>The click-and-collect order, or null.</summary>
    public async Task<ClickAndCollectView?> GetClickAndCollectAsync(string orderId, CancellationToken ct)
    {
        var id = OrderIds.CorrelationIdFor(orderId);
        var s = await db.Set<ClickAndCollectState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id, ct).ConfigureAwait(false);
        return s is null ? null : new ClickAndCollectView(
            s.OrderId, s.CurrentState, s.Version, s.StoreId, s.RequestedStoreId, s.ChannelId, s.CustomerReference, s.Lines,
            Utc(s.HoldExpiresAt), Utc(s.PaidAt), s.ShipmentId, Utc(s.ReadyAt), Utc(s.PickupReminderAt), Utc(s.PickupWindowEndsAt),
            Utc(s.CollectedAt), s.ShortPickedAt, s.Alternatives, s.Reason, Utc(s.CreatedAt)!.Value, Utc(s.UpdatedAt)!.Value);
    }

    /// <summary>The shipped order, or null.</summary>
    public async Task<OrderFulfillmentView?> GetOrderAsync(string orderId, CancellationToken ct)
    {
        var id = OrderIds.CorrelationIdFor(orderId);
        var s = await db.Set<OrderFulfillmentState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id, ct).ConfigureAwait(false);
        if (s is null)
        {
            return null;
        }

        var allocated = s.Shipments.Where(x => x.IsOpen).SelectMany(x => x.Lines).GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        return new OrderFulfillmentView(
            s.OrderId,
            s.CurrentState,
            s.Version,
            s.ChannelId,
            [.. s.Lines.Select(l => new FulfillmentLineView(l.Sku, l.Ordered, allocated.GetValueOrDefault(l.Sku), l.Shipped, l.Cancelled, l.Backordered))],
            [.. s.Shipments.Select(x => new ShipmentView(
                x.ShipmentId, x.LocationId, x.Status, [.. x.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
                Utc(x.RequestedAt)!.Value, Utc(x.ShippedAt), x.TrackingNumber))],
            s.OpenShipments,
            s.BackorderedUnits,
            s.Reason,
            Utc(s.CompletedAt),
            Utc(s.CreatedAt)!.Value,
            Utc(s.UpdatedAt)!.Value);
    }

    /// <summary>The return inspection, or null.</summary>
    public async Task<ReturnInspectionView?> GetReturnAsync(string returnId, CancellationToken ct)
    {
        var id = OrderIds.ReturnCorrelationIdFor(returnId);
        var s = await db.Set<ReturnInspection.ReturnInspectionState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id, ct).ConfigureAwait(false);
        return s is null ? null : new ReturnInspectionView(
            s.ReturnId, s.CurrentState, s.Version, s.LocationId, s.OrderId, s.Lines, s.Inspected, s.UninspectedUnits,
            Utc(s.InspectionDueAt), Utc(s.EscalatedAt), Utc(s.InspectedAt), s.Reason, Utc(s.CreatedAt)!.Value, Utc(s.UpdatedAt)!.Value);
    }

    /// <summary>The marketplace order (its intake), or null.</summary>
    public async Task<MarketplaceOrderView?> GetMarketplaceOrderAsync(string marketplace, string marketplaceOrderId, CancellationToken ct)
    {
        var id = OrderIds.MarketplaceCorrelationIdFor(marketplace, marketplaceOrderId);
        var s = await db.Set<MarketplaceIntake.MarketplaceOrderState>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id, ct).ConfigureAwait(false);
        return s is null ? null : new MarketplaceOrderView(
            s.Marketplace, s.MarketplaceOrderId, s.OrderId, s.CurrentState, s.Version, s.Lines, s.Decisions, s.Reservations,
            Utc(s.OrderedAt)!.Value, Utc(s.AcknowledgeBy)!.Value, Utc(s.WarningAt), Utc(s.NextAttemptAt), s.Attempts, Utc(s.LastAttemptAt), s.LastError,
            Utc(s.AcknowledgedAt), Utc(s.WarnedAt), Utc(s.DeadlineMissedAt), Utc(s.CancelledAt), s.Redeliveries, s.Reason,
            Utc(s.CreatedAt)!.Value, Utc(s.UpdatedAt)!.Value);
    }

    /// <summary>Which flow holds <paramref name="orderId"/>, if any.</summary>
    public async Task<OrderFlow?> FindFlowAsync(string orderId, CancellationToken ct)
    {
        var id = OrderIds.CorrelationIdFor(orderId);
        if (await db.Set<ClickAndCollectState>().AsNoTracking().AnyAsync(x => x.CorrelationId == id, ct).ConfigureAwait(false))
        {
            return OrderFlow.ClickAndCollect;
        }

        return await db.Set<OrderFulfillmentState>().AsNoTracking().AnyAsync(x => x.CorrelationId == id, ct).ConfigureAwait(false)
            ? OrderFlow.OrderFulfillment
            : null;
    }

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}

/// <summary>A click-and-collect order as the API shows it.</summary>
public sealed record ClickAndCollectView(
    string OrderId,
    string State,
    int Version,
    string StoreId,
    string RequestedStoreId,
    string? ChannelId,
    string? CustomerReference,
    IReadOnlyList<OrderLine> Lines,
    DateTimeOffset? HoldExpiresAt,
    DateTimeOffset? PaidAt,
    string? ShipmentId,
    DateTimeOffset? ReadyAt,
    DateTimeOffset? PickupReminderAt,
    DateTimeOffset? PickupWindowEndsAt,
    DateTimeOffset? CollectedAt,
    IReadOnlyList<string> ShortPickedAt,
    IReadOnlyList<StoreAlternative> Alternatives,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A return inspection as the API shows it.</summary>
public sealed record ReturnInspectionView(
    string ReturnId,
    string State,
    int Version,
    string LocationId,
    string? OrderId,
    IReadOnlyList<OrderLine> Lines,
    IReadOnlyList<InspectedLine> Inspected,
    int UninspectedUnits,
    DateTimeOffset? InspectionDueAt,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? InspectedAt,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A marketplace order's intake as the API shows it.</summary>
public sealed record MarketplaceOrderView(
    string Marketplace,
    string MarketplaceOrderId,
    string OrderId,
    string State,
    int Version,
    IReadOnlyList<MarketplaceOrderLine> Lines,
    IReadOnlyList<MarketplaceLineAcknowledgement> Decisions,
    IReadOnlyList<HeldReservation> Reservations,
    DateTimeOffset OrderedAt,
    DateTimeOffset AcknowledgeBy,
    DateTimeOffset? WarningAt,
    DateTimeOffset? NextAttemptAt,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    string? LastError,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? WarnedAt,
    DateTimeOffset? DeadlineMissedAt,
    DateTimeOffset? CancelledAt,
    int Redeliveries,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A shipped order as the API shows it.</summary>
public sealed record OrderFulfillmentView(
    string OrderId,
    string State,
    int Version,
    string? ChannelId,
    IReadOnlyList<FulfillmentLineView> Lines,
    IReadOnlyList<ShipmentView> Shipments,
    int OpenShipments,
    int BackorderedUnits,
    string? Reason,
    DateTimeOffset? CompletedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Where one line's units stand: allocated (in open shipments), shipped, cancelled, backordered.</summary>
public sealed record FulfillmentLineView(string Sku, int Ordered, int Allocated, int Shipped, int Cancelled, int Backordered);

/// <summary>One location's part of an order.</summary>
public sealed record ShipmentView(
    string ShipmentId,
    string LocationId,
    string Status,
    IReadOnlyList<OrderLine> Lines,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ShippedAt,
    string? TrackingNumber);
