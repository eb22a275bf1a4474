using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Ledger;

/// <summary>
/// Per-source sequence bookkeeping for one batch: loads the high-water marks and open gaps of the sources in the
/// batch, runs <see cref="SequenceTracker"/> over the new movements, and writes the result back in the same transaction.
/// </summary>
internal sealed class SequenceBook
{
    private readonly StockSyncDbContext _db;
    private readonly Dictionary<string, SourceSequenceRecord> _records;
    private readonly Dictionary<string, List<SequenceGapRecord>> _gapRows;
    private readonly Dictionary<string, SourceSequenceState> _states = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly List<(string Source, SequenceRange Gap)> _opened = [];

    private SequenceBook(StockSyncDbContext db, Dictionary<string, SourceSequenceRecord> records, Dictionary<string, List<SequenceGapRecord>> gapRows)
    {
        _db = db;
        _records = records;
        _gapRows = gapRows;
    }

    public static Task<SequenceBook> LoadAsync(StockSyncDbContext db, IReadOnlyList<StockMovement> movements, CancellationToken ct) =>
        LoadAsync(db, [.. movements.Where(m => m.SourceSequence is not null).Select(m => m.SourceSystem).Distinct(StringComparer.Ordinal)], ct);

    /// <summary>Loads the bookkeeping of <paramref name="sources"/>.</summary>
    public static async Task<SequenceBook> LoadAsync(StockSyncDbContext db, IReadOnlyList<string> sources, CancellationToken ct)
    {
        if (sources.Count == 0)
        {
            return new SequenceBook(db, [], []);
        }

        var records = await db.SourceSequences.Where(s => sources.Contains(s.SourceSystem))
            .ToDictionaryAsync(s => s.SourceSystem, StringComparer.Ordinal, ct).ConfigureAwait(false);
        var gaps = (await db.SequenceGaps.Where(g => sources.Contains(g.SourceSystem)).ToListAsync(ct).ConfigureAwait(false))
            .GroupBy(g => g.SourceSystem, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.FirstMissing).ToList(), StringComparer.Ordinal);
        return new SequenceBook(db, records, gaps);
    }

    /// <summary>Observes a movement's sequence number, if it has one.</summary>
    public void Observe(StockMovement movement)
    {
        if (movement.SourceSequence is { } sequence)
        {
            Observe(movement.SourceSystem, sequence);
        }
    }

    /// <summary>Observes <paramref name="sequence"/> of <paramref name="source"/> and says what it meant.</summary>
    public SequenceObservationKind Observe(string source, long sequence)
    {
        if (!_states.TryGetValue(source, out var state))
        {
            state = _records.TryGetValue(source, out var record)
                ? new SourceSequenceState(record.Highest, [.. Rows(source).Select(r => new SequenceRange(r.FirstMissing, r.LastMissing))])
                : SourceSequenceState.Empty;
        }

        var (next, kind, opened) = SequenceTracker.Observe(state, sequence);
        _states[source] = next;
        if (kind != SequenceObservationKind.AlreadySeen)
        {
            _changed.Add(source);
        }

        if (opened is { } gap)
        {
            _opened.Add((source, gap));
        }

        return kind;
    }

    /// <summary>
    /// Writes high-water marks and gap rows for every source whose bookkeeping changed; returns the gaps opened by this
    /// batch. A source whose numbers were all seen before is left alone (no write, so no conflict with a writer that
    /// recorded them first).
    /// </summary>
    public IReadOnlyList<SequenceGapDetected> Write(DateTimeOffset now)
    {
        foreach (var (source, state) in _states.Where(s => _changed.Contains(s.Key)))
        {
            if (!_records.TryGetValue(source, out var record))
            {
                record = new SourceSequenceRecord { SourceSystem = source };
                _db.SourceSequences.Add(record);
            }

            record.Highest = state.Highest ?? 0;
            record.Version++;
            record.UpdatedAt = now.UtcDateTime;
            WriteGaps(source, state.Gaps, now);
        }

        return [.. _opened.Select(o => new SequenceGapDetected
        {
            SourceSystem = o.Source,
            FirstMissing = o.Gap.First,
            LastMissing = o.Gap.Last,
            DetectedAt = now,
        })];
    }

    private void WriteGaps(string source, IReadOnlyList<SequenceRange> gaps, DateTimeOffset now)
    {
        var rows = Rows(source);
        foreach (var row in rows.Where(r => !gaps.Contains(new SequenceRange(r.FirstMissing, r.LastMissing))))
        {
            _db.SequenceGaps.Remove(row);
        }

        foreach (var gap in gaps.Where(g => !rows.Any(r => r.FirstMissing == g.First && r.LastMissing == g.Last)))
        {
            // A gap split by a late arrival keeps the detection time of the gap it came from.
            var origin = rows.FirstOrDefault(r => r.FirstMissing <= gap.First && r.LastMissing >= gap.Last);
            _db.SequenceGaps.Add(new SequenceGapRecord
            {
                SourceSystem = source,
                FirstMissing = gap.First,
                LastMissing = gap.Last,
                DetectedAt = origin?.DetectedAt ?? now.UtcDateTime,
            });
        }
    }

    private List<SequenceGapRecord> Rows(string source) => _gapRows.GetValueOrDefault(source) ?? [];
}
