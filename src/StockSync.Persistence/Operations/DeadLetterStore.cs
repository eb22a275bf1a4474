using Microsoft.EntityFrameworkCore;
using StockSync.Persistence.Telemetry;

namespace StockSync.Persistence.Operations;

/// <summary>What recording a copy from an error queue did.</summary>
public enum DeadLetterIngestOutcome
{
    /// <summary>A new dead letter.</summary>
    Added,

    /// <summary>The message had faulted before on that queue: its row counts one more failure and is open again.</summary>
    FailedAgain,

    /// <summary>A copy of a failure already recorded (a redelivery after the ingestor stopped between commit and ack).</summary>
    Duplicate,
}

/// <summary>What an operator's replay or discard did.</summary>
public enum DeadLetterActionOutcome
{
    /// <summary>Done.</summary>
    Done,

    /// <summary>No dead letter has that id.</summary>
    NotFound,

    /// <summary>The dead letter's status does not allow it (only an open dead letter is replayed or discarded).</summary>
    WrongStatus,
}

/// <summary>A dead letter without its body, headers and stack trace, as lists show it.</summary>
public sealed record DeadLetterSummary(
    long Id,
    string MessageId,
    string? MessageType,
    string SourceQueue,
    string? ExceptionType,
    string? ExceptionMessage,
    DateTime FirstFailedAt,
    DateTime LastFailedAt,
    int FailureCount,
    string? CorrelationId,
    string? OrderId,
    string Status,
    DateTime? ReplayedAt,
    string? ReplayedBy,
    int ReplayCount,
    DateTime? DiscardedAt,
    string? DiscardedBy,
    string? DiscardReason);

/// <summary>Dead letters that failed on the same queue with the same exception.</summary>
public sealed record DeadLetterGroup(
    string SourceQueue,
    string? ExceptionType,
    string? ExceptionMessage,
    int DeadLetters,
    int Failures,
    DateTime FirstFailedAt,
    DateTime LastFailedAt);

/// <summary>A filter on the dead letters; null members do not filter.</summary>
/// <param name="Status">One of <see cref="DeadLetterStatus"/>.</param>
/// <param name="SourceQueue">The endpoint queue, exactly.</param>
/// <param name="ExceptionType">The exception type's full name, or its name without the namespace.</param>
/// <param name="Search">Text in the exception message, the message id, the order id or the correlation id.</param>
/// <param name="After">Continues a listing after this dead letter (the last id of the previous page).</param>
/// <param name="Limit">At most this many.</param>
public sealed record DeadLetterQuery(string? Status, string? SourceQueue, string? ExceptionType, string? Search, long? After, int Limit);

/// <summary>
/// The dead letters table (<c>dead_letters</c>) for the ingestor, which records what reaches the error queues, and for
/// operators, who list, group, inspect, replay and discard.
/// </summary>
public sealed class DeadLetterStore(StockSyncDbContext db, TimeProvider time, StockSyncMetrics metrics)
{
    /// <summary>Ids, queue names, content types and operator names.</summary>
    public const int IdLength = Configuration.Lengths.Id;

    /// <summary>Message type URNs and exception type names.</summary>
    public const int TypeLength = Configuration.Lengths.Address;

    /// <summary>The longest exception message kept (a longer one is cut; the stack trace is kept whole).</summary>
    public const int ExceptionMessageLength = 2000;

    /// <summary>
    /// Records a copy taken from an error queue and commits. A message already recorded for that queue counts one more
    /// failure when the copy's fault is newer than the last one recorded, and is open again; an older or equal one is
    /// a copy of a failure already recorded and changes nothing.
    /// </summary>
    public async Task<DeadLetterIngestOutcome> RecordFailureAsync(DeadLetterRecord failure, CancellationToken ct)
    {
        var outcome = await StoreFailureAsync(failure, ct).ConfigureAwait(false);
        if (outcome != DeadLetterIngestOutcome.Duplicate)
        {
            metrics.DeadLetterIngested(failure.SourceQueue, outcome == DeadLetterIngestOutcome.Added ? "added" : "failed_again");
        }

        return outcome;
    }

    private async Task<DeadLetterIngestOutcome> StoreFailureAsync(DeadLetterRecord failure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(failure);
        failure.MessageId = Cut(failure.MessageId, IdLength)!;
        failure.SourceQueue = Cut(failure.SourceQueue, IdLength)!;
        failure.MessageType = Cut(failure.MessageType, TypeLength);
        failure.ContentType = Cut(failure.ContentType, IdLength);
        failure.ExceptionType = Cut(failure.ExceptionType, TypeLength);
        failure.ExceptionMessage = Cut(failure.ExceptionMessage, ExceptionMessageLength);
        failure.CorrelationId = Cut(failure.CorrelationId, IdLength);
        failure.ConversationId = Cut(failure.ConversationId, IdLength);
        failure.OrderId = Cut(failure.OrderId, IdLength);

        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var known = await db.DeadLetters.AsNoTracking()
                .Where(d => d.MessageId == failure.MessageId && d.SourceQueue == failure.SourceQueue)
                .Select(d => new { d.Id, d.LastFailedAt })
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (known is null)
            {
                failure.Id = 0;
                failure.Status = DeadLetterStatus.Open;
                failure.FailureCount = 1;
                failure.FirstFailedAt = failure.LastFailedAt;
                db.DeadLetters.Add(failure);
                try
                {
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    return DeadLetterIngestOutcome.Added;
                }
                catch (DbUpdateException) when (attempt == 0)
                {
                    // Another replica recorded a copy of the same message first: the unique index; update its row.
                    continue;
                }
            }

            if (failure.LastFailedAt <= known.LastFailedAt)
            {
                return DeadLetterIngestOutcome.Duplicate;
            }

            // Conditional on the failure still being newer: two replicas holding two copies count it once.
            var updated = await db.DeadLetters
                .Where(d => d.Id == known.Id && d.LastFailedAt < failure.LastFailedAt)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(d => d.FailureCount, d => d.FailureCount + 1)
                        .SetProperty(d => d.LastFailedAt, failure.LastFailedAt)
                        .SetProperty(d => d.ExceptionType, failure.ExceptionType)
                        .SetProperty(d => d.ExceptionMessage, failure.ExceptionMessage)
                        .SetProperty(d => d.StackTrace, failure.StackTrace)
                        .SetProperty(d => d.Headers, failure.Headers)
                        .SetProperty(d => d.Status, DeadLetterStatus.Open),
                    ct).ConfigureAwait(false);
            return updated == 1 ? DeadLetterIngestOutcome.FailedAgain : DeadLetterIngestOutcome.Duplicate;
        }
    }

    /// <summary>Dead letters matching <paramref name="query"/>, the latest failure first.</summary>
    public async Task<IReadOnlyList<DeadLetterSummary>> ListAsync(DeadLetterQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = Filter(db.DeadLetters.AsNoTracking(), query.Status, query.SourceQueue, query.ExceptionType, query.Search);
        if (query.After is { } after)
        {
            var cursor = await db.DeadLetters.AsNoTracking().Where(d => d.Id == after).Select(d => (DateTime?)d.LastFailedAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (cursor is { } at)
            {
                rows = rows.Where(d => d.LastFailedAt < at || (d.LastFailedAt == at && d.Id < after));
            }
        }

        return await rows
            .OrderByDescending(d => d.LastFailedAt).ThenByDescending(d => d.Id)
            .Take(query.Limit)
            .Select(d => new DeadLetterSummary(
                d.Id, d.MessageId, d.MessageType, d.SourceQueue, d.ExceptionType, d.ExceptionMessage, d.FirstFailedAt, d.LastFailedAt,
                d.FailureCount, d.CorrelationId, d.OrderId, d.Status, d.ReplayedAt, d.ReplayedBy, d.ReplayCount, d.DiscardedAt, d.DiscardedBy, d.DiscardReason))
            .ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Whether a dead letter has the id.</summary>
    public Task<bool> ExistsAsync(long id, CancellationToken ct) => db.DeadLetters.AnyAsync(d => d.Id == id, ct);

    /// <summary>Dead letters (of a status, or all) grouped by queue and exception, the most dead letters first.</summary>
    public async Task<IReadOnlyList<DeadLetterGroup>> GroupsAsync(string? status, CancellationToken ct)
    {
        var groups = await Filter(db.DeadLetters.AsNoTracking(), status, null, null, null)
            .GroupBy(d => new { d.SourceQueue, d.ExceptionType, d.ExceptionMessage })
            .Select(g => new DeadLetterGroup(
                g.Key.SourceQueue,
                g.Key.ExceptionType,
                g.Key.ExceptionMessage,
                g.Count(),
                g.Sum(d => d.FailureCount),
                g.Min(d => d.FirstFailedAt),
                g.Max(d => d.LastFailedAt)))
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. groups.OrderByDescending(g => g.DeadLetters).ThenByDescending(g => g.LastFailedAt)];
    }

    /// <summary>One dead letter with everything recorded, or null.</summary>
    public Task<DeadLetterRecord?> FindAsync(long id, CancellationToken ct) =>
        db.DeadLetters.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);

    /// <summary>
    /// Replays an open dead letter: in one transaction, marks it <see cref="DeadLetterStatus.Replayed"/> (only if it is
    /// still open, so two operators cannot both send it), calls <paramref name="send"/>, and commits. When the send
    /// throws, nothing is recorded. A commit that fails after the send leaves it open with the message sent: a replay
    /// repeats the same message id, which the consumers' inbox recognises.
    /// </summary>
    public async Task<(DeadLetterActionOutcome Outcome, DeadLetterRecord? DeadLetter)> ReplayAsync(
        long id, string by, Func<DeadLetterRecord, CancellationToken, Task> send, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(send);
        var now = time.GetUtcNow().UtcDateTime;
        var done = await db.InTransactionAsync(
            async token =>
            {
                var claimed = await db.DeadLetters
                    .Where(d => d.Id == id && d.Status == DeadLetterStatus.Open)
                    .ExecuteUpdateAsync(
                        u => u.SetProperty(d => d.Status, DeadLetterStatus.Replayed)
                            .SetProperty(d => d.ReplayedAt, now)
                            .SetProperty(d => d.ReplayedBy, by)
                            .SetProperty(d => d.ReplayCount, d => d.ReplayCount + 1),
                        token).ConfigureAwait(false);
                if (claimed == 0)
                {
                    return false;
                }

                var row = await db.DeadLetters.AsNoTracking().FirstAsync(d => d.Id == id, token).ConfigureAwait(false);
                await send(row, token).ConfigureAwait(false);
                return true;
            },
            ct).ConfigureAwait(false);
        var current = await FindAsync(id, ct).ConfigureAwait(false);
        return (done ? DeadLetterActionOutcome.Done : current is null ? DeadLetterActionOutcome.NotFound : DeadLetterActionOutcome.WrongStatus, current);
    }

    /// <summary>Discards an open dead letter, recording who and why.</summary>
    public async Task<(DeadLetterActionOutcome Outcome, DeadLetterRecord? DeadLetter)> DiscardAsync(long id, string by, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var done = await db.DeadLetters
            .Where(d => d.Id == id && d.Status == DeadLetterStatus.Open)
            .ExecuteUpdateAsync(
                u => u.SetProperty(d => d.Status, DeadLetterStatus.Discarded)
                    .SetProperty(d => d.DiscardedAt, now)
                    .SetProperty(d => d.DiscardedBy, by)
                    .SetProperty(d => d.DiscardReason, Cut(reason, Configuration.Lengths.Text)),
                ct).ConfigureAwait(false);
        var current = await FindAsync(id, ct).ConfigureAwait(false);
        return (done == 1 ? DeadLetterActionOutcome.Done : current is null ? DeadLetterActionOutcome.NotFound : DeadLetterActionOutcome.WrongStatus, current);
    }

    private static IQueryable<DeadLetterRecord> Filter(IQueryable<DeadLetterRecord> rows, string? status, string? queue, string? exceptionType, string? search)
    {
        if (status is not null)
        {
            rows = rows.Where(d => d.Status == status);
        }

        if (queue is not null)
        {
            rows = rows.Where(d => d.SourceQueue == queue);
        }

        if (exceptionType is not null)
        {
            var suffix = "." + exceptionType;
            rows = rows.Where(d => d.ExceptionType == exceptionType || d.ExceptionType!.EndsWith(suffix));
        }

        if (search is not null)
        {
            rows = rows.Where(d => d.ExceptionMessage!.Contains(search) || d.MessageId == search || d.OrderId == search || d.CorrelationId == search);
        }

        return rows;
    }

    private static string? Cut(string? text, int length) => text is null || text.Length <= length ? text : text[..length];
}
