namespace StockSync.Contracts.Inventory;

/// <summary>
/// Published by the ledger in the transaction that applied movements: exactly the movements that took effect, in the
/// order they were applied. A movement the ledger refused, or skipped as a duplicate, is not in it; one that is
/// replayed later and applies then is. Downstream systems that must follow the stock of record (the ERP postings,
/// an audit feed) subscribe to this event instead of the movements themselves, which may still be refused.
/// </summary>
public sealed record MovementsApplied
{
    /// <summary>The applied movements, in the order the ledger applied them.</summary>
    public required IReadOnlyList<AppliedMovement> Movements { get; init; }

    /// <summary>When the ledger applied them.</summary>
    public required DateTimeOffset AppliedAt { get; init; }
}

/// <summary>One applied movement: its identity, what it did, and the document it belongs to.</summary>
public sealed record AppliedMovement
{
    /// <summary>The movement's type name, for example <c>SaleRecorded</c> or <c>InventoryAdjusted</c>.</summary>
    public required string MovementType { get; init; }

    /// <summary>The sending system instance (with <see cref="SourceMessageId"/>, the movement's identity).</summary>
    public required string SourceSystem { get; init; }

    /// <summary>The id the source system gave the movement.</summary>
    public required string SourceMessageId { get; init; }

    /// <summary>The source's sequence number, if it sent one.</summary>
    public long? SourceSequence { get; init; }

    /// <summary>When the movement happened in its source system.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>The canonical location the movement applied to (the origin of a transfer).</summary>
    public required string LocationId { get; init; }

    /// <summary>The quantity as the movement stated it (signed for <c>InventoryAdjusted</c>, a count for <c>StockCounted</c>).</summary>
    public required int Quantity { get; init; }

    /// <summary>The movement's reason code, if any.</summary>
    public string? ReasonCode { get; init; }

    /// <summary>For <c>InventoryAdjusted</c>: the bucket the delta applied to.</summary>
    public InventoryBucket? Bucket { get; init; }

    /// <summary>For <c>QuarantineDispositioned</c>: what became of the units (ReturnToVendor and Dispose take them out of stock).</summary>
    public QuarantineDisposition? Disposition { get; init; }

    /// <summary>For a transfer: the other location (the destination of a shipment, the origin of a receipt).</summary>
    public string? OtherLocationId { get; init; }

    /// <summary>
    /// The document the movement belongs to in its source, if it names one: the sale's transaction id, the return id,
    /// the purchase order, the transfer, the reservation, or the order (the shipment id for a shipment).
    /// </summary>
    public string? Reference { get; init; }
}
