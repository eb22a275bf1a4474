using StockSync.Contracts.Inventory;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>Builders for canonical movements with unique ids, so tests read as the business events they send.</summary>
public static class Movements
{
    public static readonly DateTimeOffset Morning = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static ReceiptPosted Receipt(string sku, string location, int quantity, DateTimeOffset? at = null, string? id = null) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = id ?? NewId("GRN"),
        OccurredAt = at ?? Morning,
        Sku = sku,
        LocationId = location,
        Quantity = quantity,
    };

    public static SaleRecorded Sale(string sku, string location, int quantity, DateTimeOffset? at = null, string? id = null, long? sequence = null, string source = "pos:store-001") => new()
    {
        SourceSystem = source,
        SourceMessageId = id ?? NewId("T"),
        SourceSequence = sequence,
        OccurredAt = at ?? Morning.AddMinutes(30),
        Sku = sku,
        LocationId = location,
        Quantity = quantity,
    };

    public static StockCounted Count(string sku, string location, int quantity, DateTimeOffset at) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = NewId("CNT"),
        OccurredAt = at,
        Sku = sku,
        LocationId = location,
        Quantity = quantity,
        CountSource = "cycle-count",
    };

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
