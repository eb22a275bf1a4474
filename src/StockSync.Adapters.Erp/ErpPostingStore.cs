using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;
using StockSync.Persistence.Erp;

namespace StockSync.Adapters.Erp;

/// <summary>The outcome of an operator's requeue.</summary>
public enum RequeueOutcome
{
    /// <summary>The posting is back in the queue, with fresh attempts.</summary>
    Requeued,

    /// <summary>No posting has that id.</summary>
    NotFound,

    /// <summary>The posting is not in the exception queue (it is pending or posted).</summary>
    NotFailed,
}

/// <summary>
/// The ERP postings table (<c>erp_postings</c>) for the consumer, which queues postings, and for operators, who list
/// the queue and the exception queue and put a failed posting back.
/// </summary>
public sealed class ErpPostingStore(StockSyncDbContext db, TimeProvider time)
{
    /// <summary>The longest posting id the table takes.</summary>
    public const int MaxPostingIdLength = 300;

    /// <summary>The longest kind the table takes.</summary>
    public const int MaxKindLength = 32;

    /// <summary>
    /// Adds the postings that are not queued yet, in the given order, to the unit of work; the caller saves (the
    /// consumer's inbox/outbox transaction commits them with its inbox row). A posting id already in the table, or
    /// repeated in <paramref name="postings"/>, is skipped: a repeat is one row. Two transactions that add the same
    /// new id at once meet on the unique index; the loser fails and its retry finds the row. Returns the number added.
    /// </summary>
    public async Task<int> EnqueueAsync(IEnumerable<ErpPostingDocument> postings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(postings);
        var fresh = postings.DistinctBy(p => p.PostingId, StringComparer.Ordinal).ToList();
        foreach (var posting in fresh)
        {
            if (posting.PostingId.Length > MaxPostingIdLength || posting.Kind.Length > MaxKindLength)
            {
                throw new ArgumentException(
                    $"ERP posting '{posting.PostingId[..Math.Min(posting.PostingId.Length, 80)]}…' ({posting.Kind}) does not fit erp_postings: ids take at most {MaxPostingIdLength} characters, kinds {MaxKindLength}.",
                    nameof(postings));
            }
        }

        if (fresh.Count == 0)
        {
            return 0;
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in fresh.Select(p => p.PostingId).Chunk(500))
        {
            known.UnionWith(await db.ErpPostings.AsNoTracking().Where(p => chunk.Contains(p.PostingId)).Select(p => p.PostingId).ToListAsync(ct).ConfigureAwait(false));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var added = 0;
        foreach (var posting in fresh.Where(p => !known.Contains(p.PostingId)))
        {
            db.ErpPostings.Add(new ErpPostingRecord
            {
                PostingId = posting.PostingId,
                Kind = posting.Kind,
                Payload = posting.ToJson(),
                Status = ErpPostingStatus.Pending,
                CreatedAt = now,
            });
            added++;
        }

        return added;
    }

    /// <summary>Postings in queue order, optionally of one status, at most <paramref name="limit"/>, from sequence <paramref name="after"/> on.</summary>
    public async Task<IReadOnlyList<ErpPostingRecord>> ListAsync(string? status, long after, int limit, CancellationToken ct)
    {
        var query = db.ErpPostings.AsNoTracking().Where(p => p.Sequence > after);
        if (status is not null)
        {
            query = query.Where(p => p.Status == status);
        }

        return await query.OrderBy(p => p.Sequence).Take(limit).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One posting, or null.</summary>
    public Task<ErpPostingRecord?> FindAsync(string postingId, CancellationToken ct) =>
        db.ErpPostings.AsNoTracking().SingleOrDefaultAsync(p => p.PostingId == postingId, ct);

    /// <summary>
    /// Puts a posting from the exception queue back in the queue, with a fresh set of attempts. It keeps its
    /// sequence, so it goes out next, ahead of everything still pending; its last error stays for the record.
    /// </summary>
    public async Task<(RequeueOutcome Outcome, ErpPostingRecord? Posting)> RequeueAsync(string postingId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.ErpPostings
            .Where(p => p.PostingId == postingId && p.Status == ErpPostingStatus.Failed)
            .ExecuteUpdateAsync(
                u => u.SetProperty(p => p.Status, ErpPostingStatus.Pending)
                    .SetProperty(p => p.Attempts, 0)
                    .SetProperty(p => p.NextAttemptAt, (DateTime?)null)
                    .SetProperty(p => p.FailedAt, (DateTime?)null)
                    .SetProperty(p => p.RequeuedAt, now),
                ct).ConfigureAwait(false);
        var posting = await FindAsync(postingId, ct).ConfigureAwait(false);
        return (changed > 0 ? RequeueOutcome.Requeued : posting is null ? RequeueOutcome.NotFound : RequeueOutcome.NotFailed, posting);
    }
}
