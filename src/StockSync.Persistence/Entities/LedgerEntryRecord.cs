using StockSync.Inventory;

namespace StockSync.Persistence.Entities;

/// <summary>
/// One append-only ledger row: the change one movement made to one SKU × location. Rows are never updated or
/// deleted; positions are their sum.
/// </summary>
public sealed class LedgerEntryRecord
{
    public long Id { get; set; }

    public required string Sku { get; set; }

    public required string LocationId { get; set; }

    /// <summary>The canonical movement type, for example SaleRecorded.</summary>
    public required string MovementType { get; set; }

    public required string SourceSystem { get; set; }

    public required string SourceMessageId { get; set; }

    public long? SourceSequence { get; set; }

    public string? ReasonCode { get; set; }

    public int OnHandDelta { get; set; }

    public int ReservedDelta { get; set; }

    public int AllocatedDelta { get; set; }

    public int DamagedDelta { get; set; }

    public int QuarantineDelta { get; set; }

    public int SafetyStockDelta { get; set; }

    public int InTransitDelta { get; set; }

    /// <summary>When the movement occurred at its source (UTC).</summary>
    public DateTime OccurredAt { get; set; }

    /// <summary>When StockSync applied it (UTC).</summary>
    public DateTime AppliedAt { get; set; }

    /// <summary>Why the recorded delta differs from the movement's face value (as-of counts, stale counts), if it does.</summary>
    public string? Note { get; set; }

    /// <summary>The delta as the domain sees it.</summary>
    public BucketDelta Delta => new(OnHandDelta, ReservedDelta, AllocatedDelta, DamagedDelta, QuarantineDelta, SafetyStockDelta, InTransitDelta);

    /// <summary>Sets the delta columns.</summary>
    public void SetDelta(BucketDelta delta)
    {
        OnHandDelta = delta.OnHand;
        ReservedDelta = delta.Reserved;
        AllocatedDelta = delta.Allocated;
        DamagedDelta = delta.Damaged;
        QuarantineDelta = delta.Quarantine;
        SafetyStockDelta = delta.SafetyStock;
        InTransitDelta = delta.InTransit;
    }
}
