namespace StockSync.Contracts.Orders;

/// <summary>The customer's payment for an order was confirmed: a click-and-collect reservation becomes an allocation.</summary>
public sealed record PaymentConfirmed
{
    /// <summary>The order paid for.</summary>
    public required string OrderId { get; init; }

    /// <summary>The payment provider's reference, if any.</summary>
    public string? PaymentReference { get; init; }

    /// <summary>When the payment was confirmed.</summary>
    public required DateTimeOffset ConfirmedAt { get; init; }
}

/// <summary>A location finished picking its part of an order in full.</summary>
public sealed record OrderPicked
{
    /// <summary>The order picked.</summary>
    public required string OrderId { get; init; }

    /// <summary>The location that picked.</summary>
    public required string LocationId { get; init; }

    /// <summary>The shipment picked, as named in <see cref="FulfillmentRequested"/>; optional when the location has one open shipment of the order.</summary>
    public string? ShipmentId { get; init; }

    /// <summary>When picking finished.</summary>
    public required DateTimeOffset PickedAt { get; init; }
}

/// <summary>
/// A location could not find every unit it was asked to pick. The missing units are released at that location (and its
/// on-hand corrected), then re-sourced to another location or, failing that, backordered or cancelled with a reason.
/// </summary>
public sealed record OrderShortPicked
{
    /// <summary>The order short-picked.</summary>
    public required string OrderId { get; init; }

    /// <summary>The location that short-picked.</summary>
    public required string LocationId { get; init; }

    /// <summary>The shipment, as named in <see cref="FulfillmentRequested"/>; optional when the location has one open shipment of the order.</summary>
    public string? ShipmentId { get; init; }

    /// <summary>Per SKU, the number of units that could not be found (at least 1, at most what was asked for).</summary>
    public required IReadOnlyList<OrderLine> MissingLines { get; init; }

    /// <summary>The store's or warehouse's reason (for example <c>not on shelf</c>, <c>damaged</c>), if given.</summary>
    public string? Reason { get; init; }

    /// <summary>When the short pick was reported.</summary>
    public required DateTimeOffset ReportedAt { get; init; }
}

/// <summary>A click-and-collect order is in the store's pickup area: the pickup window starts.</summary>
public sealed record OrderReadyForPickup
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The store where it waits.</summary>
    public required string StoreId { get; init; }

    /// <summary>When it was put ready.</summary>
    public required DateTimeOffset ReadyAt { get; init; }
}

/// <summary>The customer collected a click-and-collect order (the POS handover scan): allocation and on-hand both decrease.</summary>
public sealed record OrderCollected
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The store where it was collected.</summary>
    public required string StoreId { get; init; }

    /// <summary>The POS handover (transaction) id, if any.</summary>
    public string? HandoverId { get; init; }

    /// <summary>When it was collected.</summary>
    public required DateTimeOffset CollectedAt { get; init; }
}

/// <summary>A location shipped its part of an order: allocation and on-hand both decrease, and an ERP posting follows.</summary>
public sealed record ShipmentDispatched
{
    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The location that shipped.</summary>
    public required string LocationId { get; init; }

    /// <summary>The shipment, as named in <see cref="FulfillmentRequested"/>; optional when the location has one open shipment of the order.</summary>
    public string? ShipmentId { get; init; }

    /// <summary>The carrier's tracking number, if any.</summary>
    public string? TrackingNumber { get; init; }

    /// <summary>When the parcel left.</summary>
    public required DateTimeOffset DispatchedAt { get; init; }
}
