using System.Text.Json.Serialization;

namespace StockSync.Contracts.Inventory;

/// <summary>On-hand units set aside for inspection. Quarantine increases; they are no longer sellable.</summary>
public sealed record UnitsQuarantined : StockMovement
{
    /// <summary>The return or inspection case the units belong to, if any.</summary>
    public string? ReturnId { get; init; }
}

/// <summary>
/// The outcome of inspecting quarantined units. Quarantine decreases, and then: <c>Restock</c> makes the units
/// sellable again; <c>Damaged</c> moves them to Damaged; <c>ReturnToVendor</c> and <c>Dispose</c> take them out of OnHand.
/// </summary>
public sealed record QuarantineDispositioned : StockMovement
{
    /// <summary>What happens to the inspected units.</summary>
    public required QuarantineDisposition Disposition { get; init; }

    /// <summary>The return or inspection case the units belong to, if any.</summary>
    public string? ReturnId { get; init; }
}

/// <summary>The outcome of an inspection.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QuarantineDisposition>))]
public enum QuarantineDisposition
{
    /// <summary>Back to sellable stock.</summary>
    Restock,

    /// <summary>Kept at the location but not sellable.</summary>
    Damaged,

    /// <summary>Sent back to the vendor; leaves the stock.</summary>
    ReturnToVendor,

    /// <summary>Destroyed or written off; leaves the stock.</summary>
    Dispose,
}
