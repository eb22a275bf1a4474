using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;

namespace StockSync.Sagas;

/// <summary>
/// Sale-to-availability latency per minute, read from the ledger: for every <c>SaleRecorded</c> row applied in the
/// window, <c>AppliedAt − OccurredAt</c>. <c>AppliedAt</c> is the time of the ledger commit in which the sale's
/// <c>AvailabilityChanged</c> enters the outbox, so this is the latency from the sale at its source to StockSync
/// having decided the new availability (the outbox delivers it right after). Percentiles are computed here, in C#,
/// over at most <see cref="MaxRows"/> of the newest rows, so the query is the same plain LINQ on every provider.
/// </summary>
public sealed class SaleLatencyQuery(StockSyncDbContext db, TimeProvider time)
{
    /// <summary>The most ledger rows one answer reads (the newest ones in the window).</summary>
    public const int MaxRows = 20_000;

    /// <summary>The longest window, in minutes (one day).</summary>
    public const int MaxMinutes = 24 * 60;

    /// <summary>The movement type measured.</summary>
    public const string MovementType = "SaleRecorded";

    /// <summary>
    /// The latency of the sales applied in the last <paramref name="minutes"/> minutes (up to now, whole minutes), per
    /// minute of application; minutes without a sale have no point.
    /// </summary>
    public async Task<SaleLatency> PerMinuteAsync(int minutes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, MaxMinutes);
        var now = time.GetUtcNow().UtcDateTime;
        var to = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc).AddMinutes(1);
        var from = to.AddMinutes(-minutes);

        var rows = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.MovementType == MovementType && e.AppliedAt >= from && e.AppliedAt < to)
            .OrderByDescending(e => e.AppliedAt)
            .Take(MaxRows)
            .Select(e => new { e.OccurredAt, e.AppliedAt })
            .ToListAsync(ct).ConfigureAwait(false);

        var points = rows
            .GroupBy(r => r.AppliedAt.Ticks - (r.AppliedAt.Ticks % TimeSpan.TicksPerMinute))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                // A source clock ahead of ours would give a negative latency: it counts as none.
                var sorted = g.Select(r => Math.Max(0, (r.AppliedAt - r.OccurredAt).TotalMilliseconds)).Order().ToArray();
                return new SaleLatencyPoint(
                    new DateTime(g.Key, DateTimeKind.Utc), sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
            })
            .ToList();
        return new SaleLatency(from, to, rows.Count, rows.Count == MaxRows, points);
    }

    /// <summary>The nearest-rank percentile of sorted values (at least one).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}

/// <summary>Sale-to-availability latency over a window: the sales read, whether the row cap cut the window, the minutes.</summary>
/// <param name="From">The window's start (inclusive, a whole minute, UTC).</param>
/// <param name="To">The window's end (exclusive: the end of the current minute, UTC).</param>
/// <param name="Sales">The sales read.</param>
/// <param name="Truncated">True when the window held more than <see cref="SaleLatencyQuery.MaxRows"/> sales: only the newest were read.</param>
/// <param name="Points">One point per minute that had sales, the earliest first.</param>
public sealed record SaleLatency(DateTime From, DateTime To, int Sales, bool Truncated, IReadOnlyList<SaleLatencyPoint> Points);

/// <summary>The sales applied in one minute and their latency in milliseconds (nearest-rank percentiles).</summary>
public sealed record SaleLatencyPoint(DateTime Minute, int Count, double P50Ms, double P99Ms, double MaxMs);
