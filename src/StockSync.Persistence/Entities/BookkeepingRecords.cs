namespace StockSync.Persistence.Entities;

/// <summary>
/// A movement that has been applied (or recorded as a no-op): its (source system, source message id) pair is the
/// primary key, so a second application fails inside the same transaction that would have changed the position.
/// </summary>
public sealed class ProcessedMovementRecord
{
    public required string SourceSystem { get; set; }

    public required string SourceMessageId { get; set; }

    public required string MovementType { get; set; }

    /// <summary>
    /// The movement's <see cref="StockSync.Inventory.MovementFingerprint"/>: a later movement with the same key and
    /// another fingerprint reused the id and is refused. Null for rows written before fingerprints were kept (they
    /// match anything) and for non-movement messages.
    /// </summary>
    public string? Fingerprint { get; set; }

    public DateTime ProcessedAt { get; set; }
}

/// <summary>The highest sequence number seen from one source system.</summary>
public sealed class SourceSequenceRecord
{
    public required string SourceSystem { get; set; }

    public long Highest { get; set; }

    /// <summary>Optimistic concurrency token.</summary>
    public long Version { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A range of sequence numbers a source skipped and that has not arrived (yet).</summary>
public sealed class SequenceGapRecord
{
    public long Id { get; set; }

    public required string SourceSystem { get; set; }

    public long FirstMissing { get; set; }

    public long LastMissing { get; set; }

    public DateTime DetectedAt { get; set; }
}
