namespace StockSync.Contracts.Inventory;

/// <summary>
/// A stock snapshot from a system of record (the ERP) was held against StockSync's ledger: StockSync's on-hand as of
/// the snapshot's instant, per SKU × location, against the snapshot's. Published when a snapshot has arrived whole.
/// </summary>
public sealed record ReconciliationCompleted
{
    /// <summary>The snapshot compared.</summary>
    public required string SnapshotId { get; init; }

    /// <summary>The system it came from, for example <c>erp</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The instant the snapshot is true for; StockSync's side is its on-hand as of this instant.</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>When the comparison ran.</summary>
    public required DateTimeOffset ComparedAt { get; init; }

    /// <summary>The SKU × location pairs compared.</summary>
    public required int KeysCompared { get; init; }

    /// <summary>How many of them differ.</summary>
    public required int Mismatches { get; init; }

    /// <summary>The sum of the absolute differences, in eaches.</summary>
    public required int UnitsOff { get; init; }

    /// <summary>The largest differences (at most 20), largest first.</summary>
    public required IReadOnlyList<ReconciliationMismatch> Largest { get; init; }
}

/// <summary>One SKU × location where a snapshot and StockSync differ.</summary>
public sealed record ReconciliationMismatch
{
    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>The canonical location.</summary>
    public required string LocationId { get; init; }

    /// <summary>On-hand in the snapshot.</summary>
    public required int SnapshotOnHand { get; init; }

    /// <summary>StockSync's on-hand as of the snapshot's instant.</summary>
    public required int StockSyncOnHand { get; init; }

    /// <summary>StockSync minus the snapshot.</summary>
    public required int Delta { get; init; }
}
