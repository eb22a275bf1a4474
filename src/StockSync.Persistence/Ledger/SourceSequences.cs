using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Ledger;

/// <summary>
/// The ledger's per-source sequence bookkeeping (<c>source_sequences</c>, <c>sequence_gaps</c>), for adapters whose
/// source numbers messages that do not all become ledger movements (a till's pickup handover scan, say): the adapter
/// records every number it takes in, in the transaction that publishes what the message means, so a number that
/// carries no movement is not reported as missing; the ledger, seeing the movements' numbers later, finds them seen.
/// Also reads a source's high-water mark and open gaps, and records one-off source message ids.
/// </summary>
public sealed class SourceSequences(StockSyncDbContext db, TimeProvider time)
{
    /// <summary>The highest number seen from <paramref name="sourceSystem"/> and the ranges still missing below it; null when none was seen.</summary>
    public async Task<SourceSequenceView?> ReadAsync(string sourceSystem, CancellationToken ct)
    {
        var record = await db.SourceSequences.AsNoTracking().SingleOrDefaultAsync(s => s.SourceSystem == sourceSystem, ct).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        var gaps = await db.SequenceGaps.AsNoTracking()
            .Where(g => g.SourceSystem == sourceSystem)
            .OrderBy(g => g.FirstMissing)
            .Select(g => new SequenceGapView(g.FirstMissing, g.LastMissing, g.DetectedAt))
            .ToListAsync(ct).ConfigureAwait(false);
        return new SourceSequenceView(record.SourceSystem, record.Highest, gaps, record.UpdatedAt);
    }

    /// <summary>
    /// Observes <paramref name="sequences"/> of <paramref name="sourceSystem"/> in the given order and stages the
    /// bookkeeping on the context: the caller's save (or the consumer outbox's commit) writes it, with whatever the
    /// caller publishes (the returned <see cref="SequenceObservations.GapsOpened"/> among it). A concurrent writer of the
    /// same source makes the save fail on the row's version; retry the whole message.
    /// </summary>
    public async Task<SequenceObservations> ObserveAsync(string sourceSystem, IReadOnlyList<long> sequences, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var book = await SequenceBook.LoadAsync(db, [sourceSystem], ct).ConfigureAwait(false);
        var kinds = new SequenceObservationKind[sequences.Count];
        for (var i = 0; i < sequences.Count; i++)
        {
            kinds[i] = book.Observe(sourceSystem, sequences[i]);
        }

        return new SequenceObservations(kinds, book.Write(time.GetUtcNow()));
    }

    /// <summary>
    /// Records that <paramref name="sourceSystem"/>'s message <paramref name="sourceMessageId"/> was handled, in the
    /// ledger's table of processed ids (with <paramref name="messageType"/>), for a message that is not a ledger movement
    /// but must have its effect once. Returns false when it was recorded before. The caller saves; two transactions
    /// racing on the same id meet on its key, and the one that loses retries and finds it recorded.
    /// </summary>
    public async Task<bool> TryRecordMessageAsync(string sourceSystem, string sourceMessageId, string messageType, CancellationToken ct)
    {
        if (db.ProcessedMovements.Local.Any(p => p.SourceSystem == sourceSystem && p.SourceMessageId == sourceMessageId)
            || await db.ProcessedMovements.AsNoTracking().AnyAsync(p => p.SourceSystem == sourceSystem && p.SourceMessageId == sourceMessageId, ct).ConfigureAwait(false))
        {
            return false;
        }

        db.ProcessedMovements.Add(new ProcessedMovementRecord
        {
            SourceSystem = sourceSystem,
            SourceMessageId = sourceMessageId,
            MovementType = messageType,
            ProcessedAt = time.GetUtcNow().UtcDateTime,
        });
        return true;
    }
}

/// <summary>What StockSync knows of one source's sequence.</summary>
/// <param name="SourceSystem">The source, e.g. <c>pos:STORE-001</c>.</param>
/// <param name="Highest">The highest number seen.</param>
/// <param name="Gaps">The ranges below <paramref name="Highest"/> not seen (yet), lowest first.</param>
/// <param name="UpdatedAt">When the bookkeeping last changed.</param>
public sealed record SourceSequenceView(string SourceSystem, long Highest, IReadOnlyList<SequenceGapView> Gaps, DateTime UpdatedAt);

/// <summary>A range of numbers a source skipped, open since <paramref name="DetectedAt"/>.</summary>
public sealed record SequenceGapView(long FirstMissing, long LastMissing, DateTime DetectedAt);

/// <summary>What each observed number meant (in the order given), and the gaps the observations opened.</summary>
public sealed record SequenceObservations(IReadOnlyList<SequenceObservationKind> Kinds, IReadOnlyList<SequenceGapDetected> GapsOpened);
