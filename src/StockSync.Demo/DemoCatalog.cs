namespace StockSync.Demo;

/// <summary>A site of the demo's ERP: its ERP site code, canonical location id, POS store number and storefront location id.</summary>
internal sealed record DemoSite(
    string SiteCode, string LocationId, string Name, string Kind, string? StoreNumber, long ShopifyLocationId, double Latitude, double Longitude, bool ShipsToCustomers);

/// <summary>
/// An item of the demo's ERP: its item number, canonical SKU, till barcode, storefront variant id, marketplace SKU,
/// order unit, and opening stock per location in order units.
/// </summary>
internal sealed record DemoItem(
    string ItemNumber, string Sku, string Description, string Barcode, long ShopifyVariantId, string WalmartSku,
    string OrderUnit, int UnitsPerOrderUnit, IReadOnlyDictionary<string, int> OpeningStock, bool SoldAtTills)
{
    /// <summary>The opening stock at a location in eaches.</summary>
    public int OpeningEaches(string locationId) => OpeningStock.GetValueOrDefault(locationId) * UnitsPerOrderUnit;
}

/// <summary>The demo's master data: one DC and two stores, six items (one ordered in cases of 12).</summary>
internal static class DemoCatalog
{
    public const string Dc = "DC-01";
    public const string Store1 = "STORE-001";
    public const string Store2 = "STORE-002";

    public static IReadOnlyList<DemoSite> Sites { get; } =
    [
        new("WH10", Dc, "National distribution centre", "DistributionCenter", null, 905684977, 52.2405, -0.9027, true),
        new("ST01", Store1, "City centre store", "Store", "0001", 905684978, 51.5136, -0.0890, true),
        new("ST02", Store2, "Riverside mall store", "Store", "0002", 905684979, 51.4816, -0.1906, false),
    ];

    public static IReadOnlyList<DemoItem> Items { get; } =
    [
        Item("100001", "SKU-1001", "Trail running shoe, size 42", "5000000000011", 808950810, "WM-1001", dc: 20, store1: 40, store2: 40),
        Item("100002", "SKU-1002", "Rain jacket, medium", "5000000000028", 808950811, "WM-1002", dc: 20, store1: 40, store2: 40),
        // Ordered in cases of 12: the receipts count cases, the tills and the storefront count eaches.
        Item("100003", "SKU-1003", "Insulated bottle, 750 ml", "5000000000035", 808950812, "WM-1003", dc: 4, store1: 4, store2: 4, orderUnit: "CS", units: 12),
        Item("100004", "SKU-1004", "Merino beanie", "5000000000042", 808950813, "WM-1004", dc: 10, store1: 40, store2: 40),
        // Only in the stores: a shipped order for it and the DC-only tent needs two shipments.
        Item("100005", "SKU-1005", "Head torch", "5000000000059", 808950814, "WM-1005", dc: 0, store1: 40, store2: 40),
        Item("100006", "SKU-1006", "Two-person tent", "5000000000066", 808950815, "WM-1006", dc: 6, store1: 0, store2: 0, soldAtTills: false),
    ];

    /// <summary>The site of a location.</summary>
    public static DemoSite Site(string locationId) => Sites.Single(s => s.LocationId == locationId);

    /// <summary>The item of a SKU.</summary>
    public static DemoItem Item(string sku) => Items.Single(i => i.Sku == sku);

    private static DemoItem Item(
        string itemNumber, string sku, string description, string barcode, long variantId, string walmartSku,
        int dc, int store1, int store2, string orderUnit = "EA", int units = 1, bool soldAtTills = true) =>
        new(itemNumber, sku, description, barcode, variantId, walmartSku, orderUnit, units,
            new Dictionary<string, int>(StringComparer.Ordinal) { [Dc] = dc, [Store1] = store1, [Store2] = store2 }, soldAtTills);
}
