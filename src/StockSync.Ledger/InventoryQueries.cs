using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence;

namespace StockSync.Ledger;

/// <summary>The read side of the ledger: positions with ATS and channel exposure, ledger history, and the projection check.</summary>
public sealed class InventoryQueries(StockSyncDbContext db, ChannelExposure channels)
{
    /// <summary>Every location's position for a SKU, or <see langword="null"/> when the SKU is not in the item master.</summary>
    public async Task<SkuInventoryView?> GetSkuAsync(string sku, CancellationToken ct)
    {
        if (!await db.Items.AsNoTracking().AnyAsync(i => i.Sku == sku, ct).ConfigureAwait(false))
        {
            return null;
        }

        var rows = await db.Positions.AsNoTracking().Where(p => p.Sku == sku).OrderBy(p => p.LocationId).ToListAsync(ct).ConfigureAwait(false);
        var locations = rows.Select(r =>
        {
            var position = r.ToDomain();
            return new LocationPositionView(
                r.LocationId,
                r.Version,
                position.OnHand,
                position.Reserved,
                position.Allocated,
                position.Damaged,
                position.Quarantine,
                position.SafetyStock,
                position.InTransit,
                position.AvailableToSell,
                channels.For(new StockKey(r.Sku, r.LocationId), position),
                position.CountedAsOf,
                new DateTimeOffset(r.UpdatedAt, TimeSpan.Zero));
        }).ToList();
        return new SkuInventoryView(sku, locations.Sum(l => l.AvailableToSell), locations);
    }

    /// <summary>
    /// One page of every position as one sales channel sees it (the quantity its policy exposes, and the position's
    /// version), in (SKU, location) order after <paramref name="after"/>: what an adapter needs to resynchronise the
    /// channel's system from scratch. An empty page is the end. <see langword="null"/> when the channel is not configured.
    /// </summary>
    public async Task<IReadOnlyList<ChannelPositionView>?> GetChannelPageAsync(string channelId, StockKey? after, int limit, CancellationToken ct)
    {
        if (!channels.Policies.Any(p => p.ChannelId == channelId))
        {
            return null;
        }

        var query = db.Positions.AsNoTracking();
        if (after is { } last)
        {
            query = query.Where(p => string.Compare(p.Sku, last.Sku) > 0 || (p.Sku == last.Sku && string.Compare(p.LocationId, last.LocationId) > 0));
        }

        var rows = await query.OrderBy(p => p.Sku).ThenBy(p => p.LocationId).Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r =>
        {
            var key = new StockKey(r.Sku, r.LocationId);
            var quantity = channels.For(key, r.ToDomain()).First(c => c.ChannelId == channelId).Quantity;
            return new ChannelPositionView(r.Sku, r.LocationId, r.Version, quantity);
        })];
    }

    /// <summary>The newest ledger rows of one key, newest first; <paramref name="beforeId"/> pages further back.</summary>
    public async Task<IReadOnlyList<LedgerEntryView>> GetLedgerAsync(string sku, string locationId, int limit, long? beforeId, CancellationToken ct)
    {
        var query = db.LedgerEntries.AsNoTracking().Where(e => e.Sku == sku && e.LocationId == locationId);
        if (beforeId is { } before)
        {
            query = query.Where(e => e.Id < before);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(e => new LedgerEntryView(
            e.Id,
            e.MovementType,
            e.SourceSystem,
            e.SourceMessageId,
            e.SourceSequence,
            e.ReasonCode,
            e.Delta,
            new DateTimeOffset(e.OccurredAt, TimeSpan.Zero),
            new DateTimeOffset(e.AppliedAt, TimeSpan.Zero),
            e.Note))];
    }

    /// <summary>
    /// Proves that positions are the projection of the ledger: every key where the sum of the ledger's deltas differs
    /// from the stored buckets (and every position without ledger rows). Empty means they agree.
    /// </summary>
    public async Task<IReadOnlyList<ProjectionMismatch>> FindProjectionMismatchesAsync(CancellationToken ct)
    {
        var sums = await db.LedgerEntries.AsNoTracking()
            .GroupBy(e => new { e.Sku, e.LocationId })
            .Select(g => new
            {
                g.Key.Sku,
                g.Key.LocationId,
                OnHand = g.Sum(e => e.OnHandDelta),
                Reserved = g.Sum(e => e.ReservedDelta),
                Allocated = g.Sum(e => e.AllocatedDelta),
                Damaged = g.Sum(e => e.DamagedDelta),
                Quarantine = g.Sum(e => e.QuarantineDelta),
                SafetyStock = g.Sum(e => e.SafetyStockDelta),
                InTransit = g.Sum(e => e.InTransitDelta),
            })
            .ToListAsync(ct).ConfigureAwait(false);
        var ledger = sums.ToDictionary(
            s => new StockKey(s.Sku, s.LocationId),
            s => new BucketDelta(s.OnHand, s.Reserved, s.Allocated, s.Damaged, s.Quarantine, s.SafetyStock, s.InTransit));
        var positions = (await db.Positions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(p => new StockKey(p.Sku, p.LocationId), p => p.ToDomain());

        var mismatches = new List<ProjectionMismatch>();
        foreach (var key in ledger.Keys.Union(positions.Keys))
        {
            var fromLedger = StockPosition.Empty.Apply(ledger.GetValueOrDefault(key));
            var stored = positions.GetValueOrDefault(key, StockPosition.Empty) with { CountedAsOf = null };
            if (fromLedger != stored)
            {
                mismatches.Add(new ProjectionMismatch(key.Sku, key.LocationId, fromLedger, stored));
            }
        }

        return mismatches;
    }
}

/// <summary>A SKU's stock at every location.</summary>
public sealed record SkuInventoryView(string Sku, int TotalAvailableToSell, IReadOnlyList<LocationPositionView> Locations);

/// <summary>One location's buckets, ATS and per-channel exposure.</summary>
public sealed record LocationPositionView(
    string LocationId,
    long Version,
    int OnHand,
    int Reserved,
    int Allocated,
    int Damaged,
    int Quarantine,
    int SafetyStock,
    int InTransit,
    int AvailableToSell,
    IReadOnlyList<ChannelAvailability> Channels,
    DateTimeOffset? CountedAsOf,
    DateTimeOffset UpdatedAt);

/// <summary>One position as one sales channel sees it: the exposed quantity, at the position's version.</summary>
public sealed record ChannelPositionView(string Sku, string LocationId, long Version, int Quantity);

/// <summary>One ledger row as the API shows it.</summary>
public sealed record LedgerEntryView(
    long Id,
    string MovementType,
    string SourceSystem,
    string SourceMessageId,
    long? SourceSequence,
    string? ReasonCode,
    BucketDelta Delta,
    DateTimeOffset OccurredAt,
    DateTimeOffset AppliedAt,
    string? Note);

/// <summary>A key whose stored position differs from the sum of its ledger rows.</summary>
public sealed record ProjectionMismatch(string Sku, string LocationId, StockPosition FromLedger, StockPosition Stored);
