namespace StockSync.Contracts.Inventory;

/// <summary>Units sold at a location (a till sale, or a fulfilled online sale posted by the store). OnHand decreases.</summary>
public sealed record SaleRecorded : StockMovement
{
    /// <summary>The sale's transaction or receipt id in the source system, if any.</summary>
    public string? TransactionId { get; init; }
}

/// <summary>
/// Units returned by a customer at a location. They are physically present (OnHand increases) but go to
/// Quarantine until inspected, so available-to-sell does not change.
/// </summary>
public sealed record ReturnReceived : StockMovement
{
    /// <summary>The return (RMA) id, if any.</summary>
    public string? ReturnId { get; init; }

    /// <summary>The original sale's transaction id, if known. The sale need not have been seen yet.</summary>
    public string? OriginalTransactionId { get; init; }
}

/// <summary>A purchase-order or supplier receipt posted at a location. OnHand increases.</summary>
public sealed record ReceiptPosted : StockMovement
{
    /// <summary>The purchase order the receipt belongs to, if any.</summary>
    public string? PurchaseOrderId { get; init; }
}

/// <summary>
/// A signed correction to one bucket at a location, with a mandatory reason code (for example
/// <c>SHRINK</c>, <c>FOUND</c>, <c>DAMAGE</c>). <see cref="StockMovement.Quantity"/> is the signed delta and is never zero.
/// </summary>
public sealed record InventoryAdjusted : StockMovement
{
    /// <summary>The bucket the delta applies to: OnHand (default), Damaged or SafetyStock.</summary>
    public InventoryBucket Bucket { get; init; } = InventoryBucket.OnHand;
}

/// <summary>
/// An absolute on-hand count (a cycle count or an ERP snapshot) true as of <see cref="StockMovement.OccurredAt"/>.
/// Deltas that occurred before that instant are already inside the count and are not applied again when they
/// arrive late; deltas after it apply on top. A count older than the latest applied count is recorded and ignored.
/// </summary>
public sealed record StockCounted : StockMovement
{
    /// <summary>Who or what produced the count, for example <c>cycle-count</c> or <c>erp-snapshot</c>.</summary>
    public string? CountSource { get; init; }
}
