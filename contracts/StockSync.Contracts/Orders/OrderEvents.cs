using System.Text.Json.Serialization;

namespace StockSync.Contracts.Orders;

/// <summary>A click-and-collect order's lines are reserved at the store until <see cref="HoldExpiresAt"/>, waiting for payment.</summary>
public sealed record ClickAndCollectReserved
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The store holding the units.</summary>
    public required string StoreId { get; init; }

    /// <summary>The reserved lines.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>When the hold lapses if the order is not paid.</summary>
    public required DateTimeOffset HoldExpiresAt { get; init; }
}

/// <summary>
/// A click-and-collect order could not be reserved at the chosen store. <see cref="Alternatives"/> names the nearest
/// stores that have every line available to sell, nearest first, so the customer can choose another.
/// </summary>
public sealed record ClickAndCollectRejected
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The store the customer chose.</summary>
    public required string StoreId { get; init; }

    /// <summary>Why, in words a person reads.</summary>
    public required string Reason { get; init; }

    /// <summary>Stores that could take the order now, nearest first (empty when none can).</summary>
    public required IReadOnlyList<StoreAlternative> Alternatives { get; init; }
}

/// <summary>A store that has every line of an order available to sell.</summary>
public sealed record StoreAlternative
{
    /// <summary>The store's location id.</summary>
    public required string StoreId { get; init; }

    /// <summary>The store's name, if the location master has one.</summary>
    public string? Name { get; init; }

    /// <summary>Great-circle distance from the chosen store in kilometres, when both have coordinates.</summary>
    public double? DistanceKm { get; init; }

    /// <summary>Available-to-sell per SKU of the order at this store.</summary>
    public required IReadOnlyList<OrderLine> Available { get; init; }
}

/// <summary>
/// An order moved to another state of its flow. Published on every transition, for notifications and dashboards;
/// the saga row (readable in SQL and over HTTP) holds the full picture.
/// </summary>
public sealed record OrderStatusChanged
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The flow the order runs in.</summary>
    public required OrderFlow Flow { get; init; }

    /// <summary>The new state (for example <c>ReadyForPickup</c>).</summary>
    public required string Status { get; init; }

    /// <summary>The state before (empty for a new order).</summary>
    public required string PreviousStatus { get; init; }

    /// <summary>The location concerned (the pickup store, or the location of the shipment that changed), if any.</summary>
    public string? LocationId { get; init; }

    /// <summary>Why, when the change is an exit or a re-sourcing (for example <c>pickup window expired</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>When the change was made.</summary>
    public required DateTimeOffset ChangedAt { get; init; }
}

/// <summary>Part of the pickup window has passed and the customer has not collected: time to remind them.</summary>
public sealed record PickupReminderDue
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The store where it waits.</summary>
    public required string StoreId { get; init; }

    /// <summary>When the pickup window ends and the units go back on sale.</summary>
    public required DateTimeOffset PickupWindowEndsAt { get; init; }
}

/// <summary>How a fulfilment request is handed to the customer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FulfillmentKind>))]
public enum FulfillmentKind
{
    /// <summary>Picked and held in store for the customer.</summary>
    StorePickup,

    /// <summary>Picked, packed and shipped to the customer.</summary>
    Ship,
}

/// <summary>Asks a location (through the OMS) to pick, and then hold or ship, part of an order. Its units are allocated there.</summary>
public sealed record FulfillmentRequested
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The shipment id; confirmations and short picks name it.</summary>
    public required string ShipmentId { get; init; }

    /// <summary>The location asked to fulfil.</summary>
    public required string LocationId { get; init; }

    /// <summary>Pickup in store or ship to the customer.</summary>
    public required FulfillmentKind Kind { get; init; }

    /// <summary>The lines this location fulfils.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }
}

/// <summary>Tells a location (through the OMS) to stop fulfilling a shipment and put its units back: they were released.</summary>
public sealed record FulfillmentCancelled
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The shipment stopped.</summary>
    public required string ShipmentId { get; init; }

    /// <summary>The location concerned.</summary>
    public required string LocationId { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// A shipment of a shipped order left its location and its units left the ledger (published by the fulfillment once
/// the dispatch is applied, unlike <see cref="ShipmentDispatched"/>, which is the location's report and may be refused).
/// Channels that must confirm shipments (marketplaces, the storefront) take it from here.
/// </summary>
public sealed record OrderShipped
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The shipment that left.</summary>
    public required string ShipmentId { get; init; }

    /// <summary>The location it left from.</summary>
    public required string LocationId { get; init; }

    /// <summary>The units it carries.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>The carrier's tracking number, if known.</summary>
    public string? TrackingNumber { get; init; }

    /// <summary>When it left.</summary>
    public required DateTimeOffset ShippedAt { get; init; }
}

/// <summary>
/// Asks the ERP adapter to post a stock movement to the ERP, the financial ledger of record (for example one per
/// shipment). Posting is asynchronous and never blocks a sale; <see cref="PostingId"/> makes a repeat harmless.
/// </summary>
public sealed record ErpPostingRequested
{
    /// <summary>A stable id for the posting: a repeat with the same id is posted once.</summary>
    public required string PostingId { get; init; }

    /// <summary>What is posted, for example <c>Shipment</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The order, if any.</summary>
    public string? OrderId { get; init; }

    /// <summary>The location the stock left or entered.</summary>
    public required string LocationId { get; init; }

    /// <summary>The shipment or document reference, if any.</summary>
    public string? Reference { get; init; }

    /// <summary>The units, per SKU.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>When the movement happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>The outcome of a cancellation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CancellationOutcome>))]
public enum CancellationOutcome
{
    /// <summary>Every open unit was released; nothing had shipped.</summary>
    Cancelled,

    /// <summary>Open units were released; units already shipped or collected were refused.</summary>
    PartiallyCancelled,

    /// <summary>Nothing could be cancelled: everything had shipped or been collected, or the order had already ended.</summary>
    Refused,
}

/// <summary>
/// The answer to <see cref="CancelOrder"/>: what was released through the ledger and what was refused, with the
/// reason (units already shipped or collected are handled as a return).
/// </summary>
public sealed record OrderCancellationProcessed
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The flow the order runs in.</summary>
    public required OrderFlow Flow { get; init; }

    /// <summary>Cancelled, partially cancelled, or refused.</summary>
    public required CancellationOutcome Outcome { get; init; }

    /// <summary>Units released (reservations, allocations and backorders given back), per SKU.</summary>
    public required IReadOnlyList<OrderLine> Released { get; init; }

    /// <summary>Units that could not be cancelled, per SKU.</summary>
    public required IReadOnlyList<OrderLine> Refused { get; init; }

    /// <summary>Why units were refused (for example <c>already shipped: handle as a return</c>), if any were.</summary>
    public string? RefusalReason { get; init; }

    /// <summary>When the cancellation was processed.</summary>
    public required DateTimeOffset ProcessedAt { get; init; }
}

/// <summary>
/// A store action or confirmation arrived that the order's current state does not allow (for example a shipment
/// confirmed after the order was cancelled). Nothing changed; the event says why, so the sender can act.
/// </summary>
public sealed record OrderEventRefused
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The flow the order runs in.</summary>
    public required OrderFlow Flow { get; init; }

    /// <summary>The refused message type (for example <c>ShipmentDispatched</c>).</summary>
    public required string Event { get; init; }

    /// <summary>The order's state when it arrived.</summary>
    public required string State { get; init; }

    /// <summary>Why it was refused, and what to do.</summary>
    public required string Reason { get; init; }

    /// <summary>When it was refused.</summary>
    public required DateTimeOffset RefusedAt { get; init; }
}
