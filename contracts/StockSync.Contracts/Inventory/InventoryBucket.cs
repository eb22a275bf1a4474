using System.Text.Json.Serialization;

namespace StockSync.Contracts.Inventory;

/// <summary>
/// The buckets of one SKU × location position. Available-to-sell is
/// <c>max(0, OnHand − Reserved − Allocated − Damaged − Quarantine − SafetyStock)</c>; InTransit is not part of OnHand.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<InventoryBucket>))]
public enum InventoryBucket
{
    /// <summary>Physical units at the location, sellable or not.</summary>
    OnHand,

    /// <summary>Soft holds: checkouts, click-and-collect holds, unacknowledged marketplace orders.</summary>
    Reserved,

    /// <summary>Units assigned to accepted orders and not yet shipped or collected.</summary>
    Allocated,

    /// <summary>Physically present, not sellable.</summary>
    Damaged,

    /// <summary>Returns awaiting inspection.</summary>
    Quarantine,

    /// <summary>A policy buffer that is never exposed for sale.</summary>
    SafetyStock,

    /// <summary>Units on their way to the location (not part of OnHand).</summary>
    InTransit,
}
