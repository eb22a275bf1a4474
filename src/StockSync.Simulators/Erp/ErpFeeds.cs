namespace StockSync.Simulators.Erp;

/// <summary>The document types of the ERP's documents feed: stock the ERP itself moved.</summary>
public static class ErpDocumentType
{
    /// <summary>Goods received from a vendor at <c>siteCode</c> (+).</summary>
    public const string PurchaseReceipt = "PurchaseReceipt";

    /// <summary>Goods leaving <c>siteCode</c> for <c>otherSiteCode</c> (−).</summary>
    public const string TransferShipment = "TransferShipment";

    /// <summary>Goods arriving at <c>siteCode</c> from <c>otherSiteCode</c> (+).</summary>
    public const string TransferReceipt = "TransferReceipt";

    /// <summary>Every document type the ERP knows.</summary>
    public static IReadOnlyList<string> All { get; } = [PurchaseReceipt, TransferShipment, TransferReceipt];
}

/// <summary>The kinds of site in the ERP's site master.</summary>
public static class ErpSiteKind
{
    /// <summary>A store.</summary>
    public const string Store = "Store";

    /// <summary>A distribution center.</summary>
    public const string DistributionCenter = "DistributionCenter";
}

/// <summary>
/// An item of the ERP's item master, under the ERP's item number, with its cross-reference to the retailer's canonical
/// SKU, its order unit (<c>EA</c>, or a pack such as <c>CS</c> of <see cref="UnitsPerOrderUnit"/> eaches) and its POS
/// barcodes. <see cref="Version"/> is the ERP's change counter (shared with the sites) when the item last changed.
/// </summary>
public sealed record ErpItem(string ItemNumber, string Sku, string? Description, string OrderUnit, int UnitsPerOrderUnit, IReadOnlyList<string> Barcodes, long Version);

/// <summary>A site of the ERP's site master, under the ERP's site code, with the canonical location id.</summary>
public sealed record ErpSite(string SiteCode, string LocationId, string? Name, string Kind, long Version);

/// <summary>One line of an ERP document: units of an item, in eaches (<c>EA</c>) or in the item's order unit.</summary>
public sealed record ErpDocumentLine(int LineNumber, string ItemNumber, int Quantity, string Unit);

/// <summary>A document of the ERP's documents feed, with the cursor the ERP gave it on arrival.</summary>
public sealed record ErpDocument(
    long Cursor,
    string DocumentType,
    string DocumentNumber,
    DateTimeOffset OccurredAt,
    string SiteCode,
    string? OtherSiteCode,
    IReadOnlyList<ErpDocumentLine> Lines);

/// <summary>The items changed after a version, and the ERP's highest version.</summary>
public sealed record ErpItemsPage(IReadOnlyList<ErpItem> Items, long Version);

/// <summary>The sites changed after a version, and the ERP's highest version.</summary>
public sealed record ErpSitesPage(IReadOnlyList<ErpSite> Sites, long Version);

/// <summary>A page of the documents feed, and the cursor to ask after next (the given one when the page is empty).</summary>
public sealed record ErpDocumentsPage(IReadOnlyList<ErpDocument> Documents, long Last);

/// <summary>The ERP's on-hand units of an item at a site, in eaches.</summary>
public sealed record ErpStockLine(string SiteCode, string ItemNumber, long OnHand);

/// <summary>The ERP's stock book as of <see cref="TakenAt"/>, ordered by site then item.</summary>
public sealed record ErpSnapshot(string SnapshotId, DateTimeOffset TakenAt, IReadOnlyList<ErpStockLine> Lines);

/// <summary>The book without a snapshot id (<c>GET /erp/book</c>).</summary>
public sealed record ErpBook(IReadOnlyList<ErpStockLine> Lines);

/// <summary>What was wrong with a request body: the field (a JSON path such as <c>lines[0].quantity</c>) and why.</summary>
public sealed record ErpInputError(string Field, string Message);

/// <summary>An item as <c>PUT /erp/items</c> takes it (order unit default <c>EA</c>, units per order unit default 1).</summary>
public sealed record ErpItemInput
{
    public string? ItemNumber { get; init; }

    public string? Sku { get; init; }

    public string? Description { get; init; }

    public string? OrderUnit { get; init; }

    public int? UnitsPerOrderUnit { get; init; }

    public IReadOnlyList<string?>? Barcodes { get; init; }
}

/// <summary>The body of <c>PUT /erp/items</c>.</summary>
public sealed record ErpItemsInput
{
    public IReadOnlyList<ErpItemInput?>? Items { get; init; }
}

/// <summary>A site as <c>PUT /erp/sites</c> takes it.</summary>
public sealed record ErpSiteInput
{
    public string? SiteCode { get; init; }

    public string? LocationId { get; init; }

    public string? Name { get; init; }

    /// <summary><c>Store</c> or <c>DistributionCenter</c>.</summary>
    public string? Kind { get; init; }
}

/// <summary>The body of <c>PUT /erp/sites</c>.</summary>
public sealed record ErpSitesInput
{
    public IReadOnlyList<ErpSiteInput?>? Sites { get; init; }
}

/// <summary>A document line as <c>POST /erp/documents</c> takes it.</summary>
public sealed record ErpDocumentLineInput
{
    public int? LineNumber { get; init; }

    public string? ItemNumber { get; init; }

    public int? Quantity { get; init; }

    /// <summary><c>EA</c>, or the item's order unit.</summary>
    public string? Unit { get; init; }
}

/// <summary>The body of <c>POST /erp/documents</c>.</summary>
public sealed record ErpDocumentInput
{
    /// <summary>One of <see cref="ErpDocumentType.All"/>.</summary>
    public string? DocumentType { get; init; }

    public string? DocumentNumber { get; init; }

    public DateTimeOffset? OccurredAt { get; init; }

    public string? SiteCode { get; init; }

    /// <summary>Required for transfers: the destination of a shipment, the origin of a receipt.</summary>
    public string? OtherSiteCode { get; init; }

    public IReadOnlyList<ErpDocumentLineInput?>? Lines { get; init; }
}

/// <summary>The body of <c>POST /erp/exports</c>.</summary>
public sealed record ErpExportRequest
{
    /// <summary>The folder the files are written to (an absolute path; created when missing).</summary>
    public string? Folder { get; init; }

    /// <summary>Any of <c>items</c>, <c>sites</c>, <c>documents</c>, <c>snapshot</c>.</summary>
    public IReadOnlyList<string?>? Kinds { get; init; }

    /// <summary>The documents file holds the documents with a cursor after this one (default 0: all).</summary>
    public long? DocumentsAfter { get; init; }
}

/// <summary>The files an export wrote, in the order of the requested kinds.</summary>
public sealed record ErpExportResult(IReadOnlyList<string> Files);
