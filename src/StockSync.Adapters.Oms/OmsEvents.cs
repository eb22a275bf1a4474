using StockSync.Contracts.Orders;
using StockSync.Persistence;

namespace StockSync.Adapters.Oms;

/// <summary>What an OMS event reports.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<OmsEventType>))]
public enum OmsEventType
{
    /// <summary>A location finished picking a shipment.</summary>
    Picked,

    /// <summary>A location could not find some units (<c>missingLines</c>).</summary>
    ShortPicked,

    /// <summary>A click-and-collect order is in the store's pickup area.</summary>
    ReadyForPickup,

    /// <summary>A shipment left the location (<c>trackingNumber</c>).</summary>
    Dispatched,
}

/// <summary>One confirmation from the OMS, as it posts it to <c>POST /oms/events</c>.</summary>
public sealed class OmsEvent
{
    /// <summary>The OMS's id of the event, unique: an event delivered twice has one effect.</summary>
    public required string EventId { get; init; }

    public required OmsEventType Type { get; init; }

    public required string OrderId { get; init; }

    /// <summary>The location (store or DC) that acted.</summary>
    public required string LocationId { get; init; }

    /// <summary>The shipment, when the order has several at the location.</summary>
    public string? ShipmentId { get; init; }

    /// <summary>For ShortPicked: the units not found.</summary>
    public IReadOnlyList<OrderLine>? MissingLines { get; init; }

    public string? TrackingNumber { get; init; }

    /// <summary>When it happened (default: when StockSync received it).</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}

/// <summary>Turns OMS events into the canonical store events of the order sagas.</summary>
public static class OmsEvents
{
    /// <summary>
    /// The message id an OMS event is published under: derived from its event id, so a re-delivered event is the same
    /// message and the sagas' inbox applies it once.
    /// </summary>
    public static Guid MessageIdFor(string eventId)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return NameBasedIds.Create("stocksync:oms-event:" + eventId);
    }

    /// <summary>The canonical message for <paramref name="e"/>.</summary>
    public static object ToCanonical(OmsEvent e, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        var at = e.OccurredAt ?? now;
        return e.Type switch
        {
            OmsEventType.Picked => new OrderPicked { OrderId = e.OrderId, LocationId = e.LocationId, ShipmentId = e.ShipmentId, PickedAt = at },
            OmsEventType.ShortPicked => new OrderShortPicked { OrderId = e.OrderId, LocationId = e.LocationId, ShipmentId = e.ShipmentId, MissingLines = e.MissingLines ?? [], Reason = "Reported by the OMS", ReportedAt = at },
            OmsEventType.ReadyForPickup => new OrderReadyForPickup { OrderId = e.OrderId, StoreId = e.LocationId, ReadyAt = at },
            OmsEventType.Dispatched => new ShipmentDispatched { OrderId = e.OrderId, LocationId = e.LocationId, ShipmentId = e.ShipmentId, TrackingNumber = e.TrackingNumber, DispatchedAt = at },
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Type, "Unknown OMS event type."),
        };
    }
}
