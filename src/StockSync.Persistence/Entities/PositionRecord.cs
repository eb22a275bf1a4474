using StockSync.Inventory;

namespace StockSync.Persistence.Entities;

/// <summary>
/// The projection of the ledger for one SKU × location. <see cref="Version"/> is both the optimistic concurrency
/// token and the per-key version carried by <c>AvailabilityChanged</c>.
/// </summary>
public sealed class PositionRecord
{
    public required string Sku { get; set; }

    public required string LocationId { get; set; }

    public int OnHand { get; set; }

    public int Reserved { get; set; }

    public int Allocated { get; set; }

    public int Damaged { get; set; }

    public int Quarantine { get; set; }

    public int SafetyStock { get; set; }

    public int InTransit { get; set; }

    /// <summary>The instant of the newest absolute count applied (UTC), if any.</summary>
    public DateTime? CountedAsOf { get; set; }

    public long Version { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>The position as the domain sees it.</summary>
    public StockPosition ToDomain() => new()
    {
        OnHand = OnHand,
        Reserved = Reserved,
        Allocated = Allocated,
        Damaged = Damaged,
        Quarantine = Quarantine,
        SafetyStock = SafetyStock,
        InTransit = InTransit,
        CountedAsOf = CountedAsOf is { } c ? new DateTimeOffset(c, TimeSpan.Zero) : null,
    };

    /// <summary>Copies the domain position's buckets and count instant onto this row.</summary>
    public void CopyFrom(StockPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        OnHand = position.OnHand;
        Reserved = position.Reserved;
        Allocated = position.Allocated;
        Damaged = position.Damaged;
        Quarantine = position.Quarantine;
        SafetyStock = position.SafetyStock;
        InTransit = position.InTransit;
        CountedAsOf = position.CountedAsOf?.UtcDateTime;
    }
}
