using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.OrderFulfillment;

/// <summary>
/// One shipped order, as operators read it in <c>order_fulfillment_sagas</c>: the order, counters that SQL can filter
/// on (open shipments, backordered units), and the lines and per-location shipments as JSON.
/// </summary>
public sealed class OrderFulfillmentState : StockSyncSagaState
{
    private string? _reason;

    /// <summary>The order id (unique).</summary>
    public string OrderId { get; set; } = string.Empty;

    /// <summary>The channel that took the order, if any.</summary>
    public string? ChannelId { get; set; }

    /// <summary>Per SKU: ordered, shipped, cancelled and backordered units (JSON).</summary>
    public List<FulfillmentLine> Lines { get; set; } = [];

    /// <summary>The per-location shipments (JSON).</summary>
    public List<FulfillmentShipment> Shipments { get; set; } = [];

    /// <summary>Shipments requested and not yet shipped or cancelled.</summary>
    public int OpenShipments { get; set; }

    /// <summary>Units no location could supply, waiting for stock or cancellation.</summary>
    public int BackorderedUnits { get; set; }

    /// <summary>The number of the last shipment created (shipment ids are <c>{orderId}-S{n}</c>).</summary>
    public int ShipmentCount { get; set; }

    /// <summary>The ledger step counter: every ledger call of the saga gets the next number in its movement ids.</summary>
    public int LedgerStep { get; set; }

    /// <summary>When every line was shipped or cancelled (UTC).</summary>
    public DateTime? CompletedAt { get; set; }

    /// <summary>
    /// The latest reason: a re-sourcing, a backorder or a cancellation. Cut to the column's length: a backorder of many
    /// lines, or a long cancellation reason from the bus, must not make the row unsavable.
    /// </summary>
    public string? Reason
    {
        get => _reason;
        set => _reason = SagaText.FitReason(value);
    }

    /// <summary>The line of <paramref name="sku"/>.</summary>
    public FulfillmentLine Line(string sku) => Lines.Single(l => l.Sku == sku);

    /// <summary>Recomputes the counters from the lines and shipments.</summary>
    public void Recount()
    {
        OpenShipments = Shipments.Count(s => s.IsOpen);
        BackorderedUnits = Lines.Sum(l => l.Backordered);
    }

    /// <summary>Every unit is shipped or cancelled.</summary>
    public bool IsSettled => Lines.All(l => l.Shipped + l.Cancelled == l.Ordered);
}

/// <summary>One line of a shipped order and where its units stand. Allocated units are in open shipments.</summary>
public sealed class FulfillmentLine
{
    public string Sku { get; set; } = string.Empty;

    public int Ordered { get; set; }

    public int Shipped { get; set; }

    public int Cancelled { get; set; }

    public int Backordered { get; set; }

    /// <summary>Locations that short-picked this SKU for the order; re-sourcing skips them.</summary>
    public List<string> ShortPickedAt { get; set; } = [];
}

/// <summary>Part of an order fulfilled by one location.</summary>
public sealed class FulfillmentShipment
{
    public string ShipmentId { get; set; } = string.Empty;

    public string LocationId { get; set; } = string.Empty;

    /// <summary>Requested, Picked, Shipped or Cancelled.</summary>
    public string Status { get; set; } = ShipmentStatus.Requested;

    /// <summary>Units per SKU still allocated to (or shipped by) this shipment.</summary>
    public List<ShipmentLine> Lines { get; set; } = [];

    public DateTime RequestedAt { get; set; }

    public DateTime? ShippedAt { get; set; }

    public string? TrackingNumber { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOpen => Status is ShipmentStatus.Requested or ShipmentStatus.Picked;
}

/// <summary>Units of one SKU in a shipment.</summary>
public sealed class ShipmentLine
{
    public string Sku { get; set; } = string.Empty;

    public int Quantity { get; set; }
}

/// <summary>The states of a shipment.</summary>
public static class ShipmentStatus
{
    public const string Requested = "Requested";
    public const string Picked = "Picked";
    public const string Shipped = "Shipped";
    public const string Cancelled = "Cancelled";
}
