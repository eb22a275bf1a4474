using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>The ERP's document types the adapter takes in.</summary>
public static class ErpDocumentType
{
    public const string PurchaseReceipt = "PurchaseReceipt";
    public const string TransferShipment = "TransferShipment";
    public const string TransferReceipt = "TransferReceipt";

    /// <summary>Every type.</summary>
    public static readonly IReadOnlyList<string> All = [PurchaseReceipt, TransferShipment, TransferReceipt];
}

/// <summary>An item of the ERP's master: its item number, the retailer's SKU, and the pack it is ordered in.</summary>
public sealed record ErpItem
{
    public string? ItemNumber { get; init; }

    public string? Sku { get; init; }

    public string? Description { get; init; }

    /// <summary><c>EA</c>, or a pack code (<c>CS</c>, <c>PK</c>…).</summary>
    public string? OrderUnit { get; init; }

    /// <summary>Eaches in one <see cref="OrderUnit"/>.</summary>
    public int UnitsPerOrderUnit { get; init; } = 1;

    /// <summary>The item's barcodes, as the tills scan them (mapped for the POS, one each).</summary>
    public IReadOnlyList<string>? Barcodes { get; init; }
}

/// <summary>A site of the ERP's master: its code and the canonical location it is.</summary>
public sealed record ErpSite
{
    public string? SiteCode { get; init; }

    public string? LocationId { get; init; }

    public string? Name { get; init; }

    /// <summary><c>Store</c>, <c>DistributionCenter</c> or <c>Warehouse</c>.</summary>
    public string? Kind { get; init; }
}

/// <summary>One line of an ERP document.</summary>
public sealed record ErpDocumentLine
{
    public int LineNumber { get; init; }

    public string? ItemNumber { get; init; }

    public int Quantity { get; init; }

    /// <summary><c>EA</c>, or the item's order unit.</summary>
    public string? Unit { get; init; }
}

/// <summary>A stock document the ERP booked: a PO receipt, or one leg of a transfer.</summary>
public sealed record ErpDocument
{
    public string? DocumentType { get; init; }

    public string? DocumentNumber { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public string? SiteCode { get; init; }

    /// <summary>The destination of a transfer shipment, the origin of a transfer receipt.</summary>
    public string? OtherSiteCode { get; init; }

    public IReadOnlyList<ErpDocumentLine>? Lines { get; init; }
}

/// <summary>One site × item of an ERP stock snapshot, in eaches.</summary>
public sealed record ErpSnapshotLine
{
    public string? SiteCode { get; init; }

    public string? ItemNumber { get; init; }

    public int OnHand { get; init; }
}

/// <summary>The ERP's JSON, as its API and the adapter's raw messages carry it.</summary>
public static class ErpJson
{
    /// <summary>camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
