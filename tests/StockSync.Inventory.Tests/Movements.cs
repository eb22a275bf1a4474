using StockSync.Contracts.Inventory;

namespace StockSync.Inventory.Tests;

/// <summary>Builders for canonical movements with sensible defaults; every movement gets a fresh message id.</summary>
internal static class Movements
{
    public const string Sku = "SKU-1";
    public const string Store = "STORE-1";
    public const string Warehouse = "DC-1";
    public const string Source = "pos:store-0001";

    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);
    public static readonly StockKey StoreKey = new(Sku, Store);
    public static readonly StockKey WarehouseKey = new(Sku, Warehouse);

    private static long _next;

    public static string NextId() => $"msg-{Interlocked.Increment(ref _next)}";

    public static DateTimeOffset At(int minute) => T0.AddMinutes(minute);

    public static SaleRecorded Sale(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = Source,
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
    };

    public static ReturnReceived Return(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = Source,
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
    };

    public static ReceiptPosted Receipt(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
    };

    public static InventoryAdjusted Adjust(int delta, InventoryBucket bucket = InventoryBucket.OnHand, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = delta,
        Bucket = bucket,
        ReasonCode = delta < 0 ? "SHRINK" : "FOUND",
    };

    public static StockCounted Count(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        CountSource = "cycle-count",
    };

    public static TransferShipped Ship(int quantity, string from = Store, string to = Warehouse, int minute = 0) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = from,
        Quantity = quantity,
        TransferId = "TR-1",
        DestinationLocationId = to,
    };

    public static TransferReceived ReceiveTransfer(int quantity, string at = Store, string from = Warehouse, int minute = 0) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = at,
        Quantity = quantity,
        TransferId = "TR-1",
        OriginLocationId = from,
    };

    public static StockReserved Reserve(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "shopify",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        ReservationId = "RES-1",
        ChannelId = "web",
    };

    public static ReservationReleased Release(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "shopify",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        ReservationId = "RES-1",
    };

    public static ReservationCommitted Commit(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "shopify",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        ReservationId = "RES-1",
        OrderId = "ORD-1",
    };

    public static FulfillmentShipped Fulfil(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "oms",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        OrderId = "ORD-1",
        ShipmentId = "SHP-1",
    };

    public static AllocationReleased ReleaseAllocation(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "stocksync:order-fulfillment",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        OrderId = "ORD-1",
    };

    public static UnitsQuarantined Quarantine(int quantity, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "pos:store-0001",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        ReturnId = "RMA-1",
    };

    public static QuarantineDispositioned Disposition(int quantity, QuarantineDisposition disposition, int minute = 0, string location = Store) => new()
    {
        SourceSystem = "pos:store-0001",
        SourceMessageId = NextId(),
        OccurredAt = At(minute),
        Sku = Sku,
        LocationId = location,
        Quantity = quantity,
        Disposition = disposition,
        ReturnId = "RMA-1",
    };

    /// <summary>One valid movement of every canonical type, keyed by type name.</summary>
    public static IReadOnlyDictionary<string, StockMovement> OneOfEach() => new Dictionary<string, StockMovement>(StringComparer.Ordinal)
    {
        [nameof(SaleRecorded)] = Sale(1),
        [nameof(ReturnReceived)] = Return(1),
        [nameof(ReceiptPosted)] = Receipt(1),
        [nameof(InventoryAdjusted)] = Adjust(-1),
        [nameof(StockCounted)] = Count(0),
        [nameof(TransferShipped)] = Ship(1),
        [nameof(TransferReceived)] = ReceiveTransfer(1),
        [nameof(StockReserved)] = Reserve(1),
        [nameof(ReservationReleased)] = Release(1),
        [nameof(ReservationCommitted)] = Commit(1),
        [nameof(FulfillmentShipped)] = Fulfil(1),
        [nameof(AllocationReleased)] = ReleaseAllocation(1),
        [nameof(UnitsQuarantined)] = Quarantine(1),
        [nameof(QuarantineDispositioned)] = Disposition(1, QuarantineDisposition.Restock),
    };
}

/// <summary>A hand-set ledger state for deciding one movement against a known position.</summary>
internal sealed class FakeLedgerState : ILedgerState
{
    public Dictionary<StockKey, StockPosition> Positions { get; } = [];

    public HashSet<string> UnknownSkus { get; } = new(StringComparer.Ordinal);

    public HashSet<string> UnknownLocations { get; } = new(StringComparer.Ordinal);

    public StockPosition GetPosition(StockKey key) => Positions.GetValueOrDefault(key, StockPosition.Empty);

    public int SumOnHandDeltasAfter(StockKey key, DateTimeOffset instant) => 0;

    public bool IsKnownSku(string sku) => !UnknownSkus.Contains(sku);

    public bool IsKnownLocation(string locationId) => !UnknownLocations.Contains(locationId);
}
