using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// The buckets of one SKU × location, as projected from the ledger, plus the instant of the latest absolute count.
/// </summary>
public sealed record StockPosition
{
    /// <summary>A position with every bucket at zero and no count.</summary>
    public static StockPosition Empty { get; } = new();

    /// <summary>Physical units at the location, sellable or not.</summary>
    public int OnHand { get; init; }

    /// <summary>Soft holds.</summary>
    public int Reserved { get; init; }

    /// <summary>Units allocated to accepted orders.</summary>
    public int Allocated { get; init; }

    /// <summary>Damaged units (physically present, not sellable).</summary>
    public int Damaged { get; init; }

    /// <summary>Returns awaiting inspection.</summary>
    public int Quarantine { get; init; }

    /// <summary>The policy buffer never exposed for sale.</summary>
    public int SafetyStock { get; init; }

    /// <summary>Units on their way here (not part of OnHand).</summary>
    public int InTransit { get; init; }

    /// <summary>
    /// The instant of the newest absolute count applied: OnHand deltas that occurred at or before it are already
    /// inside the count. <see langword="null"/> when the position has never been counted.
    /// </summary>
    public DateTimeOffset? CountedAsOf { get; init; }

    /// <summary><c>max(0, OnHand − Reserved − Allocated − Damaged − Quarantine − SafetyStock)</c>.</summary>
    public int AvailableToSell => Math.Max(0, OnHand - Reserved - Allocated - Damaged - Quarantine - SafetyStock);

    /// <summary>The position after adding <paramref name="delta"/> to every bucket.</summary>
    public StockPosition Apply(BucketDelta delta) => this with
    {
        OnHand = OnHand + delta.OnHand,
        Reserved = Reserved + delta.Reserved,
        Allocated = Allocated + delta.Allocated,
        Damaged = Damaged + delta.Damaged,
        Quarantine = Quarantine + delta.Quarantine,
        SafetyStock = SafetyStock + delta.SafetyStock,
        InTransit = InTransit + delta.InTransit,
    };

    /// <summary>The buckets as name/value pairs, in the canonical order.</summary>
    public IEnumerable<(InventoryBucket Bucket, int Quantity)> Buckets()
    {
        yield return (InventoryBucket.OnHand, OnHand);
        yield return (InventoryBucket.Reserved, Reserved);
        yield return (InventoryBucket.Allocated, Allocated);
        yield return (InventoryBucket.Damaged, Damaged);
        yield return (InventoryBucket.Quarantine, Quarantine);
        yield return (InventoryBucket.SafetyStock, SafetyStock);
        yield return (InventoryBucket.InTransit, InTransit);
    }

    /// <summary>The first bucket below zero, if any.</summary>
    public InventoryBucket? FirstNegativeBucket()
    {
        foreach (var (bucket, quantity) in Buckets())
        {
            if (quantity < 0)
            {
                return bucket;
            }
        }

        return null;
    }

    /// <summary>The quantity in one bucket.</summary>
    public int this[InventoryBucket bucket] => Buckets().First(b => b.Bucket == bucket).Quantity;
}
