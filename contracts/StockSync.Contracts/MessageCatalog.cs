using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;

namespace StockSync.Contracts;

/// <summary>
/// The list of canonical message types, by the name used on the wire, in HTTP intake and in the JSON Schema files.
/// </summary>
public static class MessageCatalog
{
    /// <summary>Every canonical stock movement type.</summary>
    public static IReadOnlyList<Type> Movements { get; } =
    [
        typeof(SaleRecorded),
        typeof(ReturnReceived),
        typeof(TransferShipped),
        typeof(TransferReceived),
        typeof(ReceiptPosted),
        typeof(InventoryAdjusted),
        typeof(StockCounted),
        typeof(StockReserved),
        typeof(ReservationReleased),
        typeof(ReservationCommitted),
        typeof(FulfillmentShipped),
        typeof(AllocationReleased),
        typeof(UnitsQuarantined),
        typeof(QuarantineDispositioned),
    ];

    /// <summary>Every canonical event StockSync publishes.</summary>
    public static IReadOnlyList<Type> Events { get; } =
    [
        typeof(AvailabilityChanged),
        typeof(SequenceGapDetected),
        typeof(MovementsApplied),
        typeof(ReconciliationCompleted),
    ];

    /// <summary>The commands and events of the order flows (click-and-collect, split fulfillment, cancellation).</summary>
    public static IReadOnlyList<Type> Orders { get; } =
    [
        typeof(ReserveForPickup),
        typeof(FulfillOrder),
        typeof(CancelOrder),
        typeof(PaymentConfirmed),
        typeof(OrderPicked),
        typeof(OrderShortPicked),
        typeof(OrderReadyForPickup),
        typeof(OrderCollected),
        typeof(ShipmentDispatched),
        typeof(ClickAndCollectReserved),
        typeof(ClickAndCollectRejected),
        typeof(OrderStatusChanged),
        typeof(PickupReminderDue),
        typeof(FulfillmentRequested),
        typeof(FulfillmentCancelled),
        typeof(OrderShipped),
        typeof(ErpPostingRequested),
        typeof(OrderCancellationProcessed),
        typeof(OrderEventRefused),
        typeof(ReceiveReturn),
        typeof(ReturnInspected),
        typeof(ReturnInspectionOverdue),
        typeof(RefundRequested),
        typeof(MarketplaceOrderReceived),
        typeof(AcknowledgeMarketplaceOrder),
        typeof(MarketplaceOrderAcknowledged),
        typeof(MarketplaceAcknowledgementFailed),
        typeof(MarketplaceOrderCancelled),
        typeof(RetryMarketplaceAcknowledgement),
        typeof(MarketplaceOrderAlert),
    ];

    /// <summary>All canonical message types.</summary>
    public static IReadOnlyList<Type> All { get; } = [.. Movements, .. Events, .. Orders];

    /// <summary>Finds a movement type by its name (for example <c>SaleRecorded</c>), ignoring case.</summary>
    /// <param name="name">The type name.</param>
    /// <returns>The type, or <see langword="null"/> when no movement has that name.</returns>
    public static Type? FindMovement(string name) =>
        Movements.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
}
