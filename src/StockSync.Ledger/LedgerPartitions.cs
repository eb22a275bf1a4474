using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Outbox;

namespace StockSync.Ledger;

/// <summary>What became of the movements one caller handed to <see cref="LedgerPartitions.ApplyAsync"/> (indexes are the caller's).</summary>
public sealed record LedgerPartsOutcome(int Applied, IReadOnlyList<int> DuplicateIndexes, IReadOnlyList<LedgerRejection> Rejections);

/// <summary>
/// Called inside the transaction that refused some of a caller's movements, with those refusals (the caller's indexes)
/// and the transaction's outbox: what it sends there (the forward to the isolated queue) commits with the ledger rows.
/// </summary>
public delegate Task RefusedInTransaction(IReadOnlyList<LedgerRejection> rejections, ISendEndpointProvider outbox, CancellationToken ct);

/// <summary>
/// The ledger's single writer per partition of SKU × location, in this process. Movements are routed by a stable hash
/// of their key (<see cref="PartitionOf"/>) to one of <c>Ledger:Partitions</c> workers; each worker applies what is
/// queued for it in one transaction, then everything that queued meanwhile in the next ("group commit"):
/// <list type="bullet">
/// <item>two transactions of this process never write the same position, whatever the movement types, so batches do
/// not collide on <c>positions.version</c> and retry (they still may with another replica, or with a saga's
/// all-or-nothing reservation: the worker retries those conflicts);</item>
/// <item>the transaction grows with the load (up to <c>Ledger:MaxMovementsPerTransaction</c>) instead of the load
/// waiting for fixed-size batches: under a backlog a worker applies hundreds of movements per round trip, and when
/// the queue is empty a movement goes alone at once;</item>
/// <item>within one transaction each changed key gets one <c>AvailabilityChanged</c>, whoever sent its movements.</item>
/// </list>
/// Every guarantee of <see cref="LedgerBatchWriter"/> holds per transaction: the inbox rows of the transport messages,
/// the processed-movement claims, an audit row per change, and the outbox publications commit together or not at all.
/// A caller waits until its movements are committed (or failed), so its messages are acknowledged only after that.
/// Workers start on first use and stop when the container is disposed.
/// </summary>
public sealed partial class LedgerPartitions : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly LedgerOptions _options;
    private readonly ILogger<LedgerPartitions> _logger;
    private readonly Channel<Part>[] _queues;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startGate = new();
    private volatile bool _started;
    private long _retries;

    public LedgerPartitions(IServiceScopeFactory scopes, IOptions<LedgerOptions> options, ILogger<LedgerPartitions> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;
        _queues = [.. Enumerable.Range(0, _options.Partitions).Select(_ => Channel.CreateUnbounded<Part>(new UnboundedChannelOptions { SingleReader = true }))];
        _workers = new Task[_queues.Length];
    }

    /// <summary>The number of partitions.</summary>
    public int Count => _queues.Length;

    /// <summary>
    /// Transactions retried since start (a conflict with another writer or a transient error). Within one process the
    /// partitions never conflict with each other, so on a single replica this stays at 0 unless sagas write the same
    /// positions at the same moment or the database hiccups.
    /// </summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Movements waiting for their partition's next transaction (a gauge of the ledger's own backlog).</summary>
    public int Queued => _queues.Sum(q => q.Reader.Count);

    /// <summary>The partition of a key: FNV-1a over the SKU and the location, the same in every process and run.</summary>
    public int PartitionOf(StockKey key)
    {
        var hash = 2166136261u;
        foreach (var c in key.Sku)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash = (hash ^ '\u001f') * 16777619u;
        foreach (var c in key.LocationId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)_queues.Length);
    }

    /// <summary>
    /// Applies <paramref name="movements"/> (each with its inbox claim, or null when the caller keeps its own inbox)
    /// through their partitions and waits until all are
    /// committed. Movements of one key keep their order. <paramref name="refused"/> runs inside each transaction that
    /// refused some of them. Throws when a partition could not apply its part after its retries; the parts that did
    /// commit stay committed, and a redelivery finds them in the inbox.
    /// </summary>
    public async Task<LedgerPartsOutcome> ApplyAsync(
        IReadOnlyList<StockMovement> movements, IReadOnlyList<InboxClaim?> claims, RefusedInTransaction refused, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(movements);
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(refused);
        if (claims.Count != movements.Count)
        {
            throw new ArgumentException("One inbox claim per movement is needed.", nameof(claims));
        }

        EnsureStarted();
        var origin = Activity.Current?.Context ?? default;
        var parts = new List<Part>();
        foreach (var group in Enumerable.Range(0, movements.Count).GroupBy(i => PartitionOf(new StockKey(movements[i].Sku ?? string.Empty, movements[i].LocationId ?? string.Empty))))
        {
            var indexes = group.ToArray();
            var part = new Part([.. indexes.Select(i => movements[i])], [.. indexes.Select(i => claims[i])], indexes, refused, origin, ct);
            parts.Add(part);
            if (!_queues[group.Key].Writer.TryWrite(part))
            {
                throw new ObjectDisposedException(nameof(LedgerPartitions), "The ledger is shutting down.");
            }
        }

        var outcomes = await Task.WhenAll(parts.Select(p => p.Completion)).WaitAsync(ct).ConfigureAwait(false);
        return new LedgerPartsOutcome(
            outcomes.Sum(o => o.Applied),
            [.. outcomes.SelectMany(o => o.DuplicateIndexes).Order()],
            [.. outcomes.SelectMany(o => o.Rejections).OrderBy(r => r.Index)]);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_started)
        {
            try
            {
                await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
            }
        }

        _stop.Dispose();
    }

    private void EnsureStarted()
    {
        if (_started)
        {
            return;
        }

        lock (_startGate)
        {
            if (_started)
            {
                return;
            }

            for (var i = 0; i < _queues.Length; i++)
            {
                var reader = _queues[i].Reader;
                var partition = i;
                _workers[i] = Task.Run(() => RunAsync(partition, reader));
            }

            _started = true;
        }
    }

    private async Task RunAsync(int partition, ChannelReader<Part> reader)
    {
        var group = new List<Part>();
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                group.Clear();
                var movements = 0;
                while (movements < _options.MaxMovementsPerTransaction && reader.TryRead(out var part))
                {
                    if (part.CallerCancelled)
                    {
                        part.Cancel();
                        continue;
                    }

                    group.Add(part);
                    movements += part.Movements.Count;
                }

                if (group.Count > 0)
                {
                    await ApplyGroupAsync(partition, group).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            while (reader.TryRead(out var left))
            {
                left.Cancel();
            }

            foreach (var part in group.Where(p => !p.Completion.IsCompleted))
            {
                part.Cancel();
            }
        }
    }

    /// <summary>
    /// One transaction for the whole group; if it fails for another reason than a conflict (which is retried), each part
    /// is tried alone, so that a part that cannot be applied fails only its own caller.
    /// </summary>
    private async Task ApplyGroupAsync(int partition, List<Part> group)
    {
        try
        {
            await ApplyWithRetriesAsync(partition, group).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested && group.Count > 1)
        {
            LogGroupFailed(_logger, ex, partition, group.Count, group.Sum(p => p.Movements.Count));
        }
        catch (Exception ex)
        {
            group[0].Fail(ex);
            return;
        }

        foreach (var part in group)
        {
            try
            {
                await ApplyWithRetriesAsync(partition, [part]).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                part.Fail(ex);
            }
        }
    }

    private async Task ApplyWithRetriesAsync(int partition, IReadOnlyList<Part> parts)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(parts).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < _options.RetryLimit && IsRetryable(ex) && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
                var delay = TimeSpan.FromMilliseconds(Math.Min(2000, 10 * Math.Pow(2, attempt)) * (0.5 + Random.Shared.NextDouble()));
                LogRetrying(_logger, partition, parts.Sum(p => p.Movements.Count), attempt + 1, delay.TotalMilliseconds, ex.GetType().Name, ex.Message);
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyOnceAsync(IReadOnlyList<Part> parts)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<LedgerBatchWriter>();
        var outbox = scope.ServiceProvider.GetRequiredService<TransactionalOutbox>();
        var movements = parts.SelectMany(p => p.Movements).ToList();
        var inbox = new LedgerInbox([.. parts.SelectMany(p => p.Claims)]);
        var origins = parts.Select(p => p.Origin).Where(o => o != default).Distinct().ToList();

        var result = await writer.ApplyAsync(
            movements,
            inbox,
            async (result, ct) =>
            {
                await LedgerPublications.PublishAsync(outbox.PublishEndpoint, result, ct).ConfigureAwait(false);
                var offset = 0;
                foreach (var part in parts)
                {
                    var mine = part.Rejections(result, offset);
                    if (mine.Count > 0)
                    {
                        await part.Refused(mine, outbox.SendEndpointProvider, ct).ConfigureAwait(false);
                    }

                    offset += part.Movements.Count;
                }
            },
            _stop.Token,
            origins).ConfigureAwait(false);

        var start = 0;
        foreach (var part in parts)
        {
            part.Complete(result, start);
            start += part.Movements.Count;
        }
    }

    /// <summary>Conflicts with another writer (a position's version, an inbox or processed-movement key) and transient database errors.</summary>
    private static bool IsRetryable(Exception ex) => ex switch
    {
        DbUpdateException => true,
        DbException { IsTransient: true } => true,
        TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsRetryable(inner),
        _ => ex.InnerException is DbException { IsTransient: true },
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ledger partition {Partition}: {Movements} movements hit a conflict or a transient error (attempt {Attempt}); retrying in {DelayMs:0} ms: {Error}: {Message}")]
    private static partial void LogRetrying(ILogger logger, int partition, int movements, int attempt, double delayMs, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger partition {Partition}: a transaction of {Parts} batches ({Movements} movements) failed; applying each batch on its own")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, int partition, int parts, int movements);

    /// <summary>One caller's movements of one partition.</summary>
    private sealed class Part(
        IReadOnlyList<StockMovement> movements,
        IReadOnlyList<InboxClaim?> claims,
        int[] callerIndexes,
        RefusedInTransaction refused,
        ActivityContext origin,
        CancellationToken callerToken)
    {
        private readonly TaskCompletionSource<LedgerPartsOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<StockMovement> Movements => movements;

        public IReadOnlyList<InboxClaim?> Claims => claims;

        public RefusedInTransaction Refused => refused;

        public ActivityContext Origin => origin;

        public Task<LedgerPartsOutcome> Completion => _done.Task;

        public bool CallerCancelled => callerToken.IsCancellationRequested;

        /// <summary>This part's refusals in <paramref name="result"/> (where it starts at <paramref name="offset"/>), with the caller's indexes.</summary>
        public List<LedgerRejection> Rejections(LedgerBatchResult result, int offset) =>
            [.. result.Rejections
                .Where(r => r.Index >= offset && r.Index < offset + movements.Count)
                .Select(r => r with { Index = callerIndexes[r.Index - offset] })];

        public void Complete(LedgerBatchResult result, int offset)
        {
            var duplicates = result.DuplicateIndexes.Where(i => i >= offset && i < offset + movements.Count).Select(i => callerIndexes[i - offset]).ToList();
            var rejections = Rejections(result, offset);
            _done.TrySetResult(new LedgerPartsOutcome(movements.Count - duplicates.Count - rejections.Count, duplicates, rejections));
        }

        public void Fail(Exception ex) => _done.TrySetException(ex);

        public void Cancel() => _done.TrySetCanceled(callerToken.IsCancellationRequested ? callerToken : CancellationToken.None);
    }
}
