namespace StockSync.Contracts.Inventory;

/// <summary>
/// A source system's sequence numbers skipped a range: movements with these numbers have not been seen.
/// The gap is reported, never guessed at; it closes when the missing movements arrive.
/// </summary>
public sealed record SequenceGapDetected
{
    /// <summary>The source system whose sequence has the gap.</summary>
    public required string SourceSystem { get; init; }

    /// <summary>The first missing sequence number.</summary>
    public required long FirstMissing { get; init; }

    /// <summary>The last missing sequence number (equal to <see cref="FirstMissing"/> for a single gap).</summary>
    public required long LastMissing { get; init; }

    /// <summary>When the gap was noticed.</summary>
    public required DateTimeOffset DetectedAt { get; init; }
}
