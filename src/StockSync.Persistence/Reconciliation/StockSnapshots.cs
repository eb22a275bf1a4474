using StockSync.Contracts.Inventory;
using Microsoft.EntityFrameworkCore;

namespace StockSync.Persistence.Reconciliation;

/// <summary>One SKU × location of a snapshot, in canonical ids and eaches.</summary>
public sealed record SnapshotLine(string Sku, string LocationId, int OnHand);

/// <summary>What storing a part of a snapshot did.</summary>
public enum SnapshotPartOutcome
{
    /// <summary>The part was stored before; nothing changed.</summary>
    Repeated,

    /// <summary>The part is stored; others are still missing.</summary>
    Stored,

    /// <summary>The part is stored and was the last one missing: the snapshot is complete.</summary>
    Completed,
}

/// <summary>
/// Where a snapshot and StockSync disagree: on-hand in the snapshot and in StockSync as of the snapshot's instant, and
/// how many of StockSync's ERP postings for the key had occurred by then but were not booked by the ERP yet (queued,
/// held up by an outage, or failed): a difference they explain is not one to correct.
/// </summary>
public sealed record SnapshotMismatch(string Sku, string LocationId, int SnapshotOnHand, int StockSyncOnHand, int PendingPostings = 0)
{
    /// <summary>StockSync minus the snapshot.</summary>
    public int Delta => StockSyncOnHand - SnapshotOnHand;

    /// <summary>The count that makes StockSync agree with the snapshot: its on-hand, as of the snapshot's instant.</summary>
    public StockCounted Correction(string snapshotId, DateTimeOffset takenAt) => new()
    {
        SourceSystem = SnapshotCorrections.SourceSystem,
        SourceMessageId = $"{snapshotId}:{Sku}:{LocationId}",
        OccurredAt = takenAt,
        Sku = Sku,
        LocationId = LocationId,
        Quantity = SnapshotOnHand,
        ReasonCode = "RECONCILIATION",
        CountSource = $"snapshot:{snapshotId}",
    };
}

/// <summary>Corrections of a reconciliation: audited counts in their own source.</summary>
public static class SnapshotCorrections
{
    /// <summary>The source system of the corrections (each correction's id is the snapshot, SKU and location: applied once).</summary>
    public const string SourceSystem = "reconciliation";
}

/// <summary>A snapshot held against the ledger.</summary>
/// <param name="SnapshotId">The snapshot.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="TakenAt">The instant compared.</param>
/// <param name="Complete">Every part of it is stored (an incomplete snapshot is compared on what arrived).</param>
/// <param name="KeysCompared">SKU × location pairs compared: the snapshot's, and StockSync's at the snapshot's locations.</param>
/// <param name="Mismatches">The pairs that differ, largest difference first.</param>
public sealed record SnapshotComparison(string SnapshotId, string Source, DateTimeOffset TakenAt, bool Complete, int KeysCompared, IReadOnlyList<SnapshotMismatch> Mismatches)
{
    /// <summary>How many mismatches <see cref="ReconciliationCompleted"/> lists.</summary>
    public const int LargestListed = 20;

    /// <summary>The comparison as the event that publishes it.</summary>
    public ReconciliationCompleted ToEvent(DateTimeOffset comparedAt) => new()
    {
        SnapshotId = SnapshotId,
        Source = Source,
        TakenAt = TakenAt,
        ComparedAt = comparedAt,
        KeysCompared = KeysCompared,
        Mismatches = Mismatches.Count,
        UnitsOff = Mismatches.Sum(m => Math.Abs(m.Delta)),
        Largest = [.. Mismatches.Take(LargestListed).Select(m => new ReconciliationMismatch
        {
            Sku = m.Sku, LocationId = m.LocationId, SnapshotOnHand = m.SnapshotOnHand, StockSyncOnHand = m.StockSyncOnHand, Delta = m.Delta,
        })],
    };
}

/// <summary>
/// Stock snapshots from a system of record, stored part by part, and their comparison with the ledger. StockSync's
/// side is the ledger's on-hand as of the snapshot's instant (the sum of the on-hand deltas of the movements that
/// occurred at or before it), so movements after the snapshot do not show as differences. A movement that occurred
/// before the snapshot but reached the source after it (a posting held up by an outage) does.
/// </summary>
public sealed class StockSnapshots(StockSyncDbContext db, TimeProvider time)
{
    /// <summary>
    /// Stores one part of a snapshot (the caller saves). A part stored before is left as it is.
    /// Lines are keyed by SKU × location: a key repeated in the snapshot is an error.
    /// </summary>
    public async Task<SnapshotPartOutcome> AddPartAsync(string snapshotId, string source, DateTimeOffset takenAt, int part, int parts, IReadOnlyList<SnapshotLine> lines, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (part < 1 || part > parts)
        {
            throw new ArgumentOutOfRangeException(nameof(part), part, $"A part number is between 1 and the {parts} parts of snapshot {snapshotId}.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var snapshot = await db.Set<StockSnapshotRecord>().FindAsync([snapshotId], ct).ConfigureAwait(false);
        if (snapshot is null)
        {
            snapshot = new StockSnapshotRecord { SnapshotId = snapshotId, Source = source, TakenAt = takenAt.UtcDateTime, Parts = parts, ReceivedAt = now };
            db.Add(snapshot);
        }
        else if (snapshot.Parts != parts || snapshot.TakenAt != takenAt.UtcDateTime)
        {
            throw new InvalidOperationException(
                $"Snapshot {snapshotId} was started with {snapshot.Parts} parts taken at {snapshot.TakenAt:O}; part {part} says {parts} parts taken at {takenAt.UtcDateTime:O}.");
        }
        else if (await db.Set<StockSnapshotLineRecord>().AnyAsync(l => l.SnapshotId == snapshotId && l.Part == part, ct).ConfigureAwait(false))
        {
            return SnapshotPartOutcome.Repeated;
        }

        var repeated = lines.GroupBy(l => (l.Sku, l.LocationId)).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new InvalidOperationException($"Snapshot {snapshotId} part {part} lists {repeated.Key.Sku} at {repeated.Key.LocationId} {repeated.Count()} times.");
        }

        db.AddRange(lines.Select(l => new StockSnapshotLineRecord { SnapshotId = snapshotId, Sku = l.Sku, LocationId = l.LocationId, Part = part, OnHand = l.OnHand }));
        snapshot.PartsReceived++;
        if (snapshot.PartsReceived < snapshot.Parts)
        {
            return SnapshotPartOutcome.Stored;
        }

        snapshot.CompletedAt = now;
        return SnapshotPartOutcome.Completed;
    }

    /// <summary>The newest complete snapshot of <paramref name="source"/>, or null.</summary>
    public Task<StockSnapshotRecord?> LatestAsync(string source, CancellationToken ct) =>
        db.Set<StockSnapshotRecord>().AsNoTracking()
            .Where(s => s.Source == source && s.CompletedAt != null)
            .OrderByDescending(s => s.TakenAt).ThenByDescending(s => s.CompletedAt)
            .FirstOrDefaultAsync(ct);

    /// <summary>Compares snapshot <paramref name="snapshotId"/> with the ledger; null when there is no such snapshot.</summary>
    public async Task<SnapshotComparison?> CompareAsync(string snapshotId, CancellationToken ct)
    {
        var snapshot = await db.Set<StockSnapshotRecord>().AsNoTracking().SingleOrDefaultAsync(s => s.SnapshotId == snapshotId, ct).ConfigureAwait(false);
        if (snapshot is null)
        {
            return null;
        }

        var lines = await db.Set<StockSnapshotLineRecord>().AsNoTracking()
            .Where(l => l.SnapshotId == snapshotId)
            .Select(l => new { l.Sku, l.LocationId, l.OnHand })
            .ToListAsync(ct).ConfigureAwait(false);
        var locations = lines.Select(l => l.LocationId).Distinct().ToList();
        var asOf = snapshot.TakenAt;
        var ledger = await db.LedgerEntries.AsNoTracking()
            .Where(e => locations.Contains(e.LocationId) && e.OccurredAt <= asOf)
            .GroupBy(e => new { e.Sku, e.LocationId })
            .Select(g => new { g.Key.Sku, g.Key.LocationId, OnHand = g.Sum(e => e.OnHandDelta) })
            .ToListAsync(ct).ConfigureAwait(false);

        var ours = ledger.ToDictionary(l => (l.Sku, l.LocationId), l => l.OnHand);
        var theirs = lines.ToDictionary(l => (l.Sku, l.LocationId), l => l.OnHand);
        var keys = ours.Keys.Union(theirs.Keys).ToList();
        var pending = await PendingPostingsAsync(asOf, ct).ConfigureAwait(false);
        var mismatches = keys
            .Select(k => new SnapshotMismatch(k.Sku, k.LocationId, theirs.GetValueOrDefault(k), ours.GetValueOrDefault(k), pending.GetValueOrDefault(k)))
            .Where(m => m.Delta != 0)
            .OrderByDescending(m => Math.Abs(m.Delta)).ThenBy(m => m.Sku, StringComparer.Ordinal).ThenBy(m => m.LocationId, StringComparer.Ordinal)
            .ToList();
        return new SnapshotComparison(
            snapshot.SnapshotId, snapshot.Source, new DateTimeOffset(DateTime.SpecifyKind(snapshot.TakenAt, DateTimeKind.Utc)), snapshot.CompletedAt is not null, keys.Count, mismatches);
    }

    /// <summary>The most postings a comparison reads to find those the ERP had not booked at the snapshot's instant.</summary>
    public const int PendingPostingsRead = 100_000;

    /// <summary>
    /// Per SKU × location: the ERP postings whose movement occurred at or before <paramref name="asOf"/> but which the
    /// ERP had not booked by then (posted later, or not yet). Read from <c>erp_postings</c>' payloads (location, lines
    /// and occurred-at are the posting document's wire format).
    /// </summary>
    private async Task<Dictionary<(string Sku, string LocationId), int>> PendingPostingsAsync(DateTime asOf, CancellationToken ct)
    {
        var payloads = await db.ErpPostings.AsNoTracking()
            .Where(p => p.PostedAt == null || p.PostedAt > asOf)
            .OrderBy(p => p.Sequence).Take(PendingPostingsRead)
            .Select(p => p.Payload)
            .ToListAsync(ct).ConfigureAwait(false);
        var pending = new Dictionary<(string, string), int>();
        foreach (var payload in payloads)
        {
            using var document = System.Text.Json.JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (!root.TryGetProperty("occurredAt", out var occurred) || occurred.GetDateTimeOffset().UtcDateTime > asOf
                || !root.TryGetProperty("locationId", out var location) || !root.TryGetProperty("lines", out var postingLines))
            {
                continue;
            }

            foreach (var sku in postingLines.EnumerateArray().Select(l => l.GetProperty("sku").GetString()!).Distinct(StringComparer.Ordinal))
            {
                var key = (sku, location.GetString()!);
                pending[key] = pending.GetValueOrDefault(key) + 1;
            }
        }

        return pending;
    }
}

/// <summary>How far adapters have read their sources' feeds (<c>feed_cursors</c>).</summary>
public static class FeedCursors
{
    /// <summary>The cursor of <paramref name="feed"/>, or null before its first read.</summary>
    public static async Task<string?> GetAsync(StockSyncDbContext db, string feed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return (await db.Set<FeedCursorRecord>().AsNoTracking().SingleOrDefaultAsync(c => c.Feed == feed, ct).ConfigureAwait(false))?.Cursor;
    }

    /// <summary>Moves <paramref name="feed"/>'s cursor (the caller saves, with whatever the read produced).</summary>
    public static async Task SetAsync(StockSyncDbContext db, string feed, string cursor, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = await db.Set<FeedCursorRecord>().FindAsync([feed], ct).ConfigureAwait(false);
        if (row is null)
        {
            db.Add(new FeedCursorRecord { Feed = feed, Cursor = cursor, UpdatedAt = now });
        }
        else
        {
            row.Cursor = cursor;
            row.UpdatedAt = now;
        }
    }
}
