namespace StockSync.Contracts.Inventory;

/// <summary>
/// A soft hold on units (checkout, click-and-collect, an unacknowledged marketplace order). Reserved increases.
/// The ledger refuses a reservation larger than the available-to-sell quantity, so holds never oversell.
/// </summary>
public sealed record StockReserved : StockMovement
{
    /// <summary>The reservation id; later releases and commits name it.</summary>
    public required string ReservationId { get; init; }

    /// <summary>The sales channel that holds the reservation, if any.</summary>
    public string? ChannelId { get; init; }
}

/// <summary>A reservation given back (abandoned checkout, expired hold, cancellation). Reserved decreases.</summary>
public sealed record ReservationReleased : StockMovement
{
    /// <summary>The reservation being released.</summary>
    public required string ReservationId { get; init; }
}

/// <summary>
/// A reservation turned into an accepted order's allocation (for example on payment). Reserved decreases and
/// Allocated increases by the same quantity, so available-to-sell does not change.
/// </summary>
public sealed record ReservationCommitted : StockMovement
{
    /// <summary>The reservation being committed.</summary>
    public required string ReservationId { get; init; }

    /// <summary>The order the allocation now belongs to.</summary>
    public required string OrderId { get; init; }
}

/// <summary>
/// Allocated units that left the location: shipped to the customer or collected in store.
/// Allocated and OnHand both decrease.
/// </summary>
public sealed record FulfillmentShipped : StockMovement
{
    /// <summary>The order the units were allocated to.</summary>
    public required string OrderId { get; init; }

    /// <summary>The shipment or handover id, if any.</summary>
    public string? ShipmentId { get; init; }
}

/// <summary>
/// Allocated units given back without leaving the location: an order cancelled before shipment or collection, a
/// pickup window that expired, a short pick that moves the order elsewhere. Allocated decreases; the units are sellable
/// again. It is the compensation of <see cref="ReservationCommitted"/>.
/// </summary>
public sealed record AllocationReleased : StockMovement
{
    /// <summary>The order the units were allocated to.</summary>
    public required string OrderId { get; init; }
}
