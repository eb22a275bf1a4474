namespace StockSync.Contracts.Orders;

/// <summary>
/// Starts a click-and-collect order: reserve every line at the customer's chosen store and hold it until payment.
/// With no stock the order is rejected, naming the nearest stores that have it (<see cref="ClickAndCollectRejected"/>).
/// </summary>
public sealed record ReserveForPickup
{
    /// <summary>The order id, unique across all orders; every later message about the order names it.</summary>
    public required string OrderId { get; init; }

    /// <summary>The store where the customer picks up (a location of kind Store).</summary>
    public required string StoreId { get; init; }

    /// <summary>The lines to reserve, one per SKU.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>The sales channel that took the order (for example <c>web</c>), if any.</summary>
    public string? ChannelId { get; init; }

    /// <summary>The customer's reference (an opaque id, never personal data), if any.</summary>
    public string? CustomerReference { get; init; }

    /// <summary>When the customer placed the order.</summary>
    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>
/// Starts a shipped order: source every line across locations (split when no single location has it), allocate,
/// and ask each location to ship its part (<see cref="FulfillmentRequested"/>). Units no location has are backordered.
/// </summary>
public sealed record FulfillOrder
{
    /// <summary>The order id, unique across all orders.</summary>
    public required string OrderId { get; init; }

    /// <summary>The lines to fulfil, one per SKU.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>The sales channel that took the order (for example <c>web</c> or <c>marketplace</c>), if any.</summary>
    public string? ChannelId { get; init; }

    /// <summary>When the order was accepted.</summary>
    public required DateTimeOffset PlacedAt { get; init; }

    /// <summary>
    /// Units an earlier step already reserved for this order (the marketplace intake does): fulfillment allocates them
    /// where they are held instead of sourcing them again. Lines or units not covered are sourced as usual.
    /// </summary>
    public IReadOnlyList<HeldReservation>? Reservations { get; init; }
}

/// <summary>
/// Asks to cancel an order. Units not yet shipped or collected are released through the ledger; units already shipped
/// or collected cannot be cancelled and are refused, to be handled as a return. The answer is <see cref="OrderCancellationProcessed"/>.
/// </summary>
public sealed record CancelOrder
{
    /// <summary>The order to cancel.</summary>
    public required string OrderId { get; init; }

    /// <summary>Why, in words a person reads (for example <c>customer changed their mind</c>).</summary>
    public required string Reason { get; init; }

    /// <summary>Who asked (a user, a system), if known.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>When the cancellation was asked for.</summary>
    public required DateTimeOffset RequestedAt { get; init; }
}
