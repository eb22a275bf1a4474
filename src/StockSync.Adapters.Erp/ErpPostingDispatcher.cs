using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence;
using StockSync.Persistence.Erp;
using StockSync.Persistence.Leases;

namespace StockSync.Adapters.Erp;

/// <summary>What one dispatcher round did.</summary>
public enum ErpDispatchOutcome
{
    /// <summary>Nothing was due.</summary>
    Idle,

    /// <summary>Another replica holds the dispatcher lease.</summary>
    NotLeaseHolder,

    /// <summary>The ERP was unavailable on an earlier round; this replica holds the lease and backs off until <see cref="ErpDispatchRound.NextRoundAt"/>.</summary>
    WaitingForErp,

    /// <summary>A batch went to the ERP and was answered (each posting posted or refused).</summary>
    Sent,

    /// <summary>A batch could not be delivered; nothing changed for its postings but their last error.</summary>
    ErpUnavailable,
}

/// <summary>The result of one round of <see cref="ErpPostingDispatcher.DispatchOnceAsync"/>.</summary>
public sealed record ErpDispatchRound(ErpDispatchOutcome Outcome, int Sent = 0, int Posted = 0, int Refused = 0, int Failed = 0, DateTimeOffset? NextRoundAt = null);

/// <summary>
/// Sends queued ERP postings (<c>erp_postings</c>) to the ERP in batches, in sequence order, from one replica at a
/// time (the <c>erp-postings</c> lease in <c>dispatcher_leases</c>).
/// <list type="bullet">
/// <item>Each round takes the oldest <c>BatchSize</c> pending postings that are due and posts them in one request.</item>
/// <item>An ERP that cannot be reached, times out, throttles (429, with its Retry-After) or fails (5xx) costs the
/// postings nothing: the dispatcher backs off exponentially, then sends the same postings, first, again. The queue
/// waits intact and in order, however long the outage, and drains in order when the ERP answers again.</item>
/// <item>A posting the ERP refuses steps out of line: it is retried after its own exponential backoff while the postings
/// behind it go on, and after <c>MaxAttempts</c> refusals it moves to the exception queue (status <c>Failed</c>), where
/// an operator looks at it and requeues it. One bad posting never blocks the rest.</item>
/// </list>
/// Nothing on the sales path waits for this: the ledger applies, and the consumer queues, whether the ERP is up or not.
/// </summary>
/// <remarks>
/// The lease is renewed on every round (also while backing off from an unavailable ERP) and outlives a request (the
/// options check it), so two replicas never send the same posting. Should a replica stall past its lease in the middle
/// of a request, the next holder may send that batch again; the ERP recognises a repeated posting id (that is what the
/// id is for) and the posting is still posted once.
/// </remarks>
public sealed partial class ErpPostingDispatcher(
    IServiceScopeFactory scopes,
    IErpClient client,
    IOptions<ErpPostingOptions> options,
    TimeProvider time,
    ILogger<ErpPostingDispatcher> logger) : BackgroundService
{
    /// <summary>The lease's name in <c>dispatcher_leases</c>.</summary>
    public const string LeaseName = "erp-postings";

    private int _unavailableRounds;
    private DateTimeOffset? _resumeAt;

    /// <summary>This replica's name in <c>dispatcher_leases.owner</c>.</summary>
    public string DispatcherId { get; } = ReplicaId.New();

    /// <summary>Claims or renews the lease, then posts one batch of due postings and records what the ERP said.</summary>
    public async Task<ErpDispatchRound> DispatchOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        if (!await DispatcherLeases.TryAcquireAsync(db, LeaseName, DispatcherId, now.UtcDateTime, (now + settings.Lease).UtcDateTime, ct).ConfigureAwait(false))
        {
            return new ErpDispatchRound(ErpDispatchOutcome.NotLeaseHolder);
        }

        // Backing off from an unavailable ERP keeps the lease (renewed above), so a standby replica does not step in
        // and ask the ERP again in the middle of the backoff.
        if (_resumeAt is { } resume && resume > now)
        {
            return new ErpDispatchRound(ErpDispatchOutcome.WaitingForErp, NextRoundAt: resume);
        }

        var due = now.UtcDateTime;
        var batch = await db.ErpPostings.AsNoTracking()
            .Where(p => p.Status == ErpPostingStatus.Pending && (p.NextAttemptAt == null || p.NextAttemptAt <= due))
            .OrderBy(p => p.Sequence)
            .Take(settings.BatchSize)
            .ToListAsync(ct).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return new ErpDispatchRound(ErpDispatchOutcome.Idle);
        }

        var outcome = await client.PostAsync(batch, ct).ConfigureAwait(false);
        var answeredAt = time.GetUtcNow();
        switch (outcome)
        {
            case ErpBatchOutcome.Unavailable unavailable:
                return await BackOffAsync(db, batch, unavailable, answeredAt).ConfigureAwait(false);
            case ErpBatchOutcome.Refused refused:
                _unavailableRounds = 0;
                _resumeAt = null;
                return await RecordAsync(db, batch, batch.ToDictionary(p => p.PostingId, _ => refused.Error, StringComparer.Ordinal), answeredAt).ConfigureAwait(false);
            case ErpBatchOutcome.Answered answered:
                _unavailableRounds = 0;
                _resumeAt = null;
                var results = answered.Results.GroupBy(r => r.PostingId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
                var refusals = batch
                    .Where(p => !results.TryGetValue(p.PostingId, out var result) || !result.Accepted)
                    .ToDictionary(
                        p => p.PostingId,
                        p => results.TryGetValue(p.PostingId, out var result) ? result.Error ?? "Refused without a reason." : "The ERP's answer did not mention this posting.",
                        StringComparer.Ordinal);
                return await RecordAsync(db, batch, refusals, answeredAt).ConfigureAwait(false);
            default:
                throw new InvalidOperationException($"Unknown ERP outcome {outcome.GetType().Name}.");
        }
    }

    /// <summary>Gives the lease back, so another replica takes over without waiting for it to expire.</summary>
    public async Task ReleaseLeaseAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await DispatcherLeases.ReleaseAsync(scope.ServiceProvider.GetRequiredService<StockSyncDbContext>(), LeaseName, DispatcherId, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (options.Value.DispatcherEnabled)
        {
            try
            {
                await ReleaseLeaseAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReleaseFailed(logger, ex);
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.DispatcherEnabled)
        {
            LogDisabled(logger);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                var round = await DispatchOnceAsync(stoppingToken).ConfigureAwait(false);
                if (round.Outcome == ErpDispatchOutcome.Sent)
                {
                    wait = settings.PauseBetweenBatches;
                }
                else if (round.NextRoundAt is { } next && next - time.GetUtcNow() < wait)
                {
                    // Never longer than the poll interval: each round renews the lease.
                    wait = next - time.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing is lost: the postings stay queued and the next round tries again.
                LogRoundFailed(logger, ex, settings.PollInterval);
            }

            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await Task.Yield();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<ErpDispatchRound> BackOffAsync(StockSyncDbContext db, List<ErpPostingRecord> batch, ErpBatchOutcome.Unavailable unavailable, DateTimeOffset now)
    {
        _unavailableRounds++;
        var delay = options.Value.Backoff(_unavailableRounds);
        if (unavailable.RetryAfter is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter < TimeSpan.FromHours(1) ? retryAfter : TimeSpan.FromHours(1);
        }

        _resumeAt = now + delay;
        LogUnavailable(logger, batch.Count, _unavailableRounds, delay, unavailable.Error);
        var sequences = batch.Select(p => p.Sequence).ToList();
        var error = Shorten($"ERP unavailable (request {_unavailableRounds} in a row, next in {delay.TotalSeconds:0.###} s): {unavailable.Error}");
        var at = now.UtcDateTime;
        await db.ErpPostings.Where(p => sequences.Contains(p.Sequence) && p.Status == ErpPostingStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.LastError, error).SetProperty(p => p.LastAttemptAt, at), CancellationToken.None)
            .ConfigureAwait(false);
        return new ErpDispatchRound(ErpDispatchOutcome.ErpUnavailable, Sent: batch.Count, NextRoundAt: _resumeAt);
    }

    /// <summary>Marks the accepted postings Posted, and gives each refused one its backoff or moves it to the exception queue.</summary>
    private async Task<ErpDispatchRound> RecordAsync(StockSyncDbContext db, List<ErpPostingRecord> batch, Dictionary<string, string> refusals, DateTimeOffset now)
    {
        var settings = options.Value;
        var at = now.UtcDateTime;

        // Written without the request's token: the ERP has answered, and its answer must be kept.
        var posted = batch.Where(p => !refusals.ContainsKey(p.PostingId)).Select(p => p.Sequence).ToList();
        if (posted.Count > 0)
        {
            await db.ErpPostings.Where(p => posted.Contains(p.Sequence) && p.Status == ErpPostingStatus.Pending)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(p => p.Status, ErpPostingStatus.Posted)
                        .SetProperty(p => p.PostedAt, at)
                        .SetProperty(p => p.Attempts, p => p.Attempts + 1)
                        .SetProperty(p => p.LastAttemptAt, at)
                        .SetProperty(p => p.NextAttemptAt, (DateTime?)null),
                    CancellationToken.None).ConfigureAwait(false);
        }

        var failed = 0;
        foreach (var posting in batch.Where(p => refusals.ContainsKey(p.PostingId)))
        {
            var attempts = posting.Attempts + 1;
            var error = Shorten(refusals[posting.PostingId]);
            var sequence = posting.Sequence;
            var rows = db.ErpPostings.Where(p => p.Sequence == sequence && p.Status == ErpPostingStatus.Pending);
            if (attempts >= settings.MaxAttempts)
            {
                failed++;
                LogFailed(logger, posting.PostingId, posting.Kind, attempts, error);
                await rows.ExecuteUpdateAsync(
                    u => u.SetProperty(p => p.Status, ErpPostingStatus.Failed)
                        .SetProperty(p => p.Attempts, attempts)
                        .SetProperty(p => p.FailedAt, at)
                        .SetProperty(p => p.LastAttemptAt, at)
                        .SetProperty(p => p.LastError, error)
                        .SetProperty(p => p.NextAttemptAt, (DateTime?)null),
                    CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                var backoff = settings.Backoff(attempts);
                var next = at + backoff;
                LogRefused(logger, posting.PostingId, posting.Kind, attempts, settings.MaxAttempts, backoff, error);
                await rows.ExecuteUpdateAsync(
                    u => u.SetProperty(p => p.Attempts, attempts)
                        .SetProperty(p => p.NextAttemptAt, next)
                        .SetProperty(p => p.LastAttemptAt, at)
                        .SetProperty(p => p.LastError, error),
                    CancellationToken.None).ConfigureAwait(false);
            }
        }

        LogSent(logger, batch.Count, posted.Count, refusals.Count, failed);
        return new ErpDispatchRound(ErpDispatchOutcome.Sent, Sent: batch.Count, Posted: posted.Count, Refused: refusals.Count, Failed: failed);
    }

    private static string Shorten(string text) => text.Length <= 1000 ? text : string.Concat(text.AsSpan(0, 999), "…");

    [LoggerMessage(Level = LogLevel.Information, Message = "ERP postings: sent {Sent}, posted {Posted}, refused {Refused}, moved to the exception queue {Failed}")]
    private static partial void LogSent(ILogger logger, int sent, int posted, int refused, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ERP unavailable ({Count} postings waiting at the head of the queue, request {Round} in a row); next request in {Delay}: {Error}")]
    private static partial void LogUnavailable(ILogger logger, int count, int round, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ERP refused posting {PostingId} ({Kind}) on attempt {Attempt} of {MaxAttempts}; retrying in {Delay}: {Error}")]
    private static partial void LogRefused(ILogger logger, string postingId, string kind, int attempt, int maxAttempts, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "ERP posting {PostingId} ({Kind}) moved to the exception queue after {Attempts} refused attempts: {Error}. Fix the cause, then POST /erp/postings/{PostingId}/requeue")]
    private static partial void LogFailed(ILogger logger, string postingId, string kind, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ERP postings dispatcher is disabled on this replica (Erp:Postings:DispatcherEnabled=false)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "ERP postings round failed; retrying in {Interval}")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the ERP postings lease; another replica takes over when it ends")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
