using System.Text.Json.Serialization;
using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>A signed change to each bucket of one position.</summary>
public readonly record struct BucketDelta(
    int OnHand = 0,
    int Reserved = 0,
    int Allocated = 0,
    int Damaged = 0,
    int Quarantine = 0,
    int SafetyStock = 0,
    int InTransit = 0)
{
    /// <summary>No change.</summary>
    public static BucketDelta None => default;

    /// <summary>True when no bucket changes.</summary>
    [JsonIgnore]
    public bool IsZero => this == default;

    /// <summary>A delta of <paramref name="quantity"/> on one bucket.</summary>
    public static BucketDelta Of(InventoryBucket bucket, int quantity) => bucket switch
    {
        InventoryBucket.OnHand => new(OnHand: quantity),
        InventoryBucket.Reserved => new(Reserved: quantity),
        InventoryBucket.Allocated => new(Allocated: quantity),
        InventoryBucket.Damaged => new(Damaged: quantity),
        InventoryBucket.Quarantine => new(Quarantine: quantity),
        InventoryBucket.SafetyStock => new(SafetyStock: quantity),
        InventoryBucket.InTransit => new(InTransit: quantity),
        _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket, "Unknown bucket."),
    };

    /// <summary>Adds two deltas bucket by bucket.</summary>
    public static BucketDelta operator +(BucketDelta a, BucketDelta b) => new(
        a.OnHand + b.OnHand,
        a.Reserved + b.Reserved,
        a.Allocated + b.Allocated,
        a.Damaged + b.Damaged,
        a.Quarantine + b.Quarantine,
        a.SafetyStock + b.SafetyStock,
        a.InTransit + b.InTransit);

    /// <summary>Adds two deltas bucket by bucket.</summary>
    public static BucketDelta Add(BucketDelta a, BucketDelta b) => a + b;
}
