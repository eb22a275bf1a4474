using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Ledger;

/// <summary>
/// The ledger state one batch works on: everything it needs is loaded with a few set-based queries up front
/// (processed ids, positions, catalogue, and the ledger sums that as-of counts need), then the batch runs in memory.
/// </summary>
internal sealed class BatchLedgerState : ILedgerState
{
    private readonly StockSyncDbContext _db;
    private readonly Dictionary<(string, string), string?> _processed;
    private readonly Dictionary<StockKey, PositionRecord> _records;
    private readonly Dictionary<StockKey, StockPosition> _positions = [];
    private readonly HashSet<string> _skus;
    private readonly HashSet<string> _locations;
    private readonly Dictionary<(StockKey, DateTimeOffset), int> _storedLaterSums;
    private readonly List<(StockKey Key, DateTimeOffset OccurredAt, int OnHand)> _pending = [];

    private BatchLedgerState(
        StockSyncDbContext db,
        Dictionary<(string, string), string?> processed,
        Dictionary<StockKey, PositionRecord> records,
        HashSet<string> skus,
        HashSet<string> locations,
        Dictionary<(StockKey, DateTimeOffset), int> storedLaterSums)
    {
        _db = db;
        _processed = processed;
        _records = records;
        _skus = skus;
        _locations = locations;
        _storedLaterSums = storedLaterSums;
    }

    public static async Task<BatchLedgerState> LoadAsync(StockSyncDbContext db, IReadOnlyList<StockMovement> movements, CancellationToken ct)
    {
        // Both key columns in the filter, so the lookup is a primary-key index probe on every provider.
        var sourceSystems = movements.Select(m => m.SourceSystem).Distinct().ToList();
        var messageIds = movements.Select(m => m.SourceMessageId).Distinct().ToList();
        var processed = (await db.ProcessedMovements.AsNoTracking()
                .Where(p => sourceSystems.Contains(p.SourceSystem) && messageIds.Contains(p.SourceMessageId))
                .Select(p => new { p.SourceSystem, p.SourceMessageId, p.Fingerprint })
                .ToListAsync(ct).ConfigureAwait(false))
            .ToDictionary(p => (p.SourceSystem, p.SourceMessageId), p => p.Fingerprint);

        var keys = movements.SelectMany(KeysOf).ToHashSet();
        var skus = keys.Select(k => k.Sku).Distinct().ToList();
        var locations = keys.Select(k => k.LocationId).Distinct().ToList();
        var records = new Dictionary<StockKey, PositionRecord>();
        foreach (var query in db.Positions.WhereKeyIn(keys, p => p.Sku, p => p.LocationId))
        {
            foreach (var record in await query.ToListAsync(ct).ConfigureAwait(false))
            {
                records[new StockKey(record.Sku, record.LocationId)] = record;
            }
        }

        var knownSkus = (await db.Items.AsNoTracking().Where(i => skus.Contains(i.Sku)).Select(i => i.Sku)
            .ToListAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var knownLocations = (await db.Locations.AsNoTracking().Where(l => locations.Contains(l.LocationId)).Select(l => l.LocationId)
            .ToListAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);

        var laterSums = new Dictionary<(StockKey, DateTimeOffset), int>();
        foreach (var count in movements.OfType<StockCounted>())
        {
            var key = new StockKey(count.Sku, count.LocationId);
            var asOf = count.OccurredAt.UtcDateTime;
            laterSums[(key, count.OccurredAt)] = await db.LedgerEntries.AsNoTracking()
                .Where(e => e.Sku == key.Sku && e.LocationId == key.LocationId && e.OccurredAt > asOf)
                .SumAsync(e => e.OnHandDelta, ct).ConfigureAwait(false);
        }

        return new BatchLedgerState(db, processed, records, knownSkus, knownLocations, laterSums);
    }

    /// <summary>
    /// Claims the movement's idempotency key with its <paramref name="fingerprint"/>. Answers
    /// <see cref="Claim.Duplicate"/> when the key was applied before (or earlier in this batch) with the same content,
    /// and <see cref="Claim.Conflict"/>, with the fingerprint applied, when it was applied with other content.
    /// </summary>
    public Claim TryClaim(StockMovement movement, string fingerprint, out string? appliedFingerprint)
    {
        if (_processed.TryAdd((movement.SourceSystem, movement.SourceMessageId), fingerprint))
        {
            appliedFingerprint = null;
            return Claim.New;
        }

        appliedFingerprint = _processed[(movement.SourceSystem, movement.SourceMessageId)];
        return appliedFingerprint is null || appliedFingerprint == fingerprint ? Claim.Duplicate : Claim.Conflict;
    }

    /// <summary>Gives a claim back: the movement was refused and may be applied later.</summary>
    public void Release(StockMovement movement) => _processed.Remove((movement.SourceSystem, movement.SourceMessageId));

    /// <summary>Records an applied change so later movements in the batch see it.</summary>
    public void Record(PositionChange change, StockMovement movement)
    {
        _positions[change.Key] = change.After;
        if (change.Delta.OnHand != 0)
        {
            _pending.Add((change.Key, movement.OccurredAt, change.Delta.OnHand));
        }
    }

    /// <summary>
    /// Copies every changed position onto its row (inserting new rows) and bumps its version once for the batch.
    /// Returns the changed rows.
    /// </summary>
    public IReadOnlyList<PositionRecord> WriteChangedPositions(DateTimeOffset now)
    {
        var changed = new List<PositionRecord>();
        foreach (var (key, position) in _positions)
        {
            if (_records.TryGetValue(key, out var record))
            {
                if (record.ToDomain() == position)
                {
                    continue;
                }
            }
            else
            {
                record = new PositionRecord { Sku = key.Sku, LocationId = key.LocationId };
                _db.Positions.Add(record);
                _records[key] = record;
            }

            record.CopyFrom(position);
            record.Version++;
            record.UpdatedAt = now.UtcDateTime;
            changed.Add(record);
        }

        return changed;
    }

    public StockPosition GetPosition(StockKey key) =>
        _positions.TryGetValue(key, out var position) ? position
        : _records.TryGetValue(key, out var record) ? record.ToDomain()
        : StockPosition.Empty;

    public int SumOnHandDeltasAfter(StockKey key, DateTimeOffset instant) =>
        _storedLaterSums.GetValueOrDefault((key, instant))
        + _pending.Where(p => p.Key == key && p.OccurredAt > instant).Sum(p => p.OnHand);

    public bool IsKnownSku(string sku) => _skus.Contains(sku);

    public bool IsKnownLocation(string locationId) => _locations.Contains(locationId);

    private static IEnumerable<StockKey> KeysOf(StockMovement m)
    {
        yield return new StockKey(m.Sku ?? string.Empty, m.LocationId ?? string.Empty);
        switch (m)
        {
            case TransferShipped s:
                yield return new StockKey(m.Sku ?? string.Empty, s.DestinationLocationId ?? string.Empty);
                break;
            case TransferReceived r:
                yield return new StockKey(m.Sku ?? string.Empty, r.OriginLocationId ?? string.Empty);
                break;
        }
    }
}

/// <summary>What claiming a movement's idempotency key found.</summary>
internal enum Claim
{
    /// <summary>The key is new: the movement is decided.</summary>
    New,

    /// <summary>The key was applied with the same content (or before fingerprints were kept): a no-op.</summary>
    Duplicate,

    /// <summary>The key was applied with other content: the movement is refused.</summary>
    Conflict,
}
