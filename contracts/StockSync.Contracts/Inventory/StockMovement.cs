namespace StockSync.Contracts.Inventory;

/// <summary>
/// The fields every canonical stock movement shares. A movement is a fact about stock at one SKU × location
/// (a transfer also names a second location). Concrete movement types derive from this record; consumers
/// subscribe to the concrete types, never to this base.
/// </summary>
public abstract record StockMovement
{
    /// <summary>
    /// The sending system instance, for example <c>pos:store-0042</c>, <c>erp</c> or <c>shopify</c>.
    /// Together with <see cref="SourceMessageId"/> it identifies the movement: a second movement with the
    /// same pair is a duplicate and is applied once. Sequence numbers are tracked per source system.
    /// </summary>
    public required string SourceSystem { get; init; }

    /// <summary>
    /// The id the source system gave this movement (its journal line id, webhook id or document number).
    /// It must be stable across redeliveries: it is the idempotency key.
    /// </summary>
    public required string SourceMessageId { get; init; }

    /// <summary>
    /// Optional per-source sequence number, increasing by one per movement from <see cref="SourceSystem"/>.
    /// A skipped number is reported as a gap; it is never guessed at.
    /// </summary>
    public long? SourceSequence { get; init; }

    /// <summary>
    /// When the movement happened in the source system (not when StockSync received it). For an absolute
    /// count this is the instant the count is true for.
    /// </summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>The canonical location id (store, DC or warehouse) the movement applies to.</summary>
    public required string LocationId { get; init; }

    /// <summary>
    /// The quantity in the canonical unit (each). Positive for every movement except
    /// <see cref="InventoryAdjusted"/>, where it is a signed, non-zero delta, and <see cref="StockCounted"/>,
    /// where it is the counted on-hand (zero or more).
    /// </summary>
    public required int Quantity { get; init; }

    /// <summary>An optional reason code from the source system; required for <see cref="InventoryAdjusted"/>.</summary>
    public string? ReasonCode { get; init; }
}
