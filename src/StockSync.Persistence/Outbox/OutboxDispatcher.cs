using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Telemetry;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// Delivers committed outbox rows to the broker. The outbox is split into partitions by conversation; a replica
/// delivers a partition only while it holds that partition's lease (<c>outbox_partitions</c>), so replicas never
/// send the same row twice, and a conversation's messages go out in the order they were stored. Within a batch,
/// different conversations are sent in parallel. A refused send is retried with back-off, in order, forever: the
/// row stays visible to operators (<c>attempts</c>, <c>last_error</c>) and is never dropped.
/// </summary>
/// <remarks>
/// Delivery is at least once: a replica that dies after the broker accepted a message but before it marked the row
/// delivered leaves the row for the next owner, which sends it again with the same message id. Consumers behind the
/// StockSync inbox acknowledge such a repeat without effects.
/// </remarks>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    StockSyncMetrics metrics,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private bool _partitionsReady;

    /// <summary>This replica's name in <c>outbox_partitions.owner</c>.</summary>
    public string DispatcherId { get; } = ReplicaId.New();

    /// <summary>
    /// Claims or renews partition leases, then delivers one batch from every partition this replica owns.
    /// Returns how many messages were delivered.
    /// </summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var owned = await ClaimPartitionsAsync(ct).ConfigureAwait(false);
        if (owned.Count == 0)
        {
            return 0;
        }

        var settings = options.Value;
        var delivered = 0;
        await Parallel.ForEachAsync(
            owned,
            new ParallelOptions { MaxDegreeOfParallelism = settings.PartitionConcurrency, CancellationToken = ct },
            async (partition, token) => Interlocked.Add(ref delivered, await DeliverPartitionAsync(partition, token).ConfigureAwait(false))).ConfigureAwait(false);
        return delivered;
    }

    /// <summary>Gives this replica's partitions back, so another replica can take them over without waiting for the lease.</summary>
    public async Task ReleasePartitionsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        await db.OutboxPartitions.Where(p => p.Owner == DispatcherId)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Owner, (string?)null).SetProperty(p => p.LeaseUntil, (DateTime?)null), ct)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (options.Value.DispatcherEnabled)
        {
            try
            {
                await ReleasePartitionsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not release outbox partitions; other replicas take them over when the lease ends");
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.DispatcherEnabled)
        {
            logger.LogWarning("The outbox dispatcher is disabled on this replica (Outbox:DispatcherEnabled=false)");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await DispatchOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing is lost: the rows stay in the outbox and the next round tries again.
                logger.LogError(ex, "Outbox dispatch failed; retrying in {Interval}", settings.PollInterval);
            }

            if (delivered == 0)
            {
                try
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<IReadOnlyList<int>> ClaimPartitionsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        if (!_partitionsReady)
        {
            await EnsurePartitionsAsync(db, ct).ConfigureAwait(false);
            _partitionsReady = true;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var until = now + options.Value.PartitionLease;
        var me = DispatcherId;
        var limit = options.Value.MaxPartitionsPerReplica;
        if (limit <= 0)
        {
            // One statement renews this replica's leases and takes over free or expired ones; a row another replica
            // is updating at the same moment is re-checked after its lock, so a partition never has two owners.
            await db.OutboxPartitions
                .Where(p => p.Owner == me || p.Owner == null || p.LeaseUntil == null || p.LeaseUntil < now)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Owner, me).SetProperty(p => p.LeaseUntil, until), ct)
                .ConfigureAwait(false);
        }
        else
        {
            var mine = await db.OutboxPartitions
                .Where(p => p.Owner == me)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.LeaseUntil, until), ct)
                .ConfigureAwait(false);
            if (mine < limit)
            {
                var free = await db.OutboxPartitions.AsNoTracking()
                    .Where(p => p.Owner == null || p.LeaseUntil == null || p.LeaseUntil < now)
                    .OrderBy(p => p.Partition)
                    .Select(p => p.Partition)
                    .Take(limit - mine)
                    .ToListAsync(ct).ConfigureAwait(false);
                // The free condition is checked again in the update, under the row lock.
                await db.OutboxPartitions
                    .Where(p => free.Contains(p.Partition) && (p.Owner == null || p.LeaseUntil == null || p.LeaseUntil < now))
                    .ExecuteUpdateAsync(u => u.SetProperty(p => p.Owner, me).SetProperty(p => p.LeaseUntil, until), ct)
                    .ConfigureAwait(false);
            }
        }

        return await db.OutboxPartitions.AsNoTracking()
            .Where(p => p.Owner == me)
            .OrderBy(p => p.Partition)
            .Select(p => p.Partition)
            .ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Creates the partition rows: the configured ones, and any partition that still holds undelivered rows.</summary>
    private async Task EnsurePartitionsAsync(StockSyncDbContext db, CancellationToken ct)
    {
        var existing = await db.OutboxPartitions.Select(p => p.Partition).ToListAsync(ct).ConfigureAwait(false);
        var stranded = await db.OutboxMessages.Where(m => m.DeliveredAt == null).Select(m => m.Partition).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var missing = Enumerable.Range(0, options.Value.Partitions).Concat(stranded).Distinct().Except(existing).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        db.OutboxPartitions.AddRange(missing.Select(p => new OutboxPartitionRecord { Partition = p }));
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another replica created them at the same moment; the next round retries whatever is still missing.
            db.ChangeTracker.Clear();
            _partitionsReady = false;
        }
    }

    private async Task<int> DeliverPartitionAsync(int partition, CancellationToken ct)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var batch = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Partition == partition && m.DeliveredAt == null)
            .OrderBy(m => m.SequenceNumber)
            .Take(settings.DispatchBatchSize)
            .ToListAsync(ct).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var sent = new ConcurrentBag<long>();
        var failed = new ConcurrentBag<(long Sequence, string Error)>();
        var conversations = batch.GroupBy(m => m.ConversationId ?? m.MessageId).ToList();
        await Parallel.ForEachAsync(
            conversations,
            new ParallelOptions { MaxDegreeOfParallelism = settings.SendConcurrency, CancellationToken = ct },
            async (conversation, token) =>
            {
                foreach (var message in conversation)
                {
                    if (!IsDue(message, now))
                    {
                        return; // backing off; the rest of the conversation waits behind it
                    }

                    try
                    {
                        await SendAsync(message, token).ConfigureAwait(false);
                        sent.Add(message.SequenceNumber);
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        logger.LogWarning(ex, "Outbox message {SequenceNumber} ({MessageId}) not delivered on attempt {Attempt}", message.SequenceNumber, message.MessageId, message.Attempts + 1);
                        failed.Add((message.SequenceNumber, Describe(ex)));
                        return;
                    }
                }
            }).ConfigureAwait(false);

        var deliveredAt = time.GetUtcNow().UtcDateTime;
        var delivered = sent.ToList();
        if (delivered.Count > 0)
        {
            await db.OutboxMessages.Where(m => delivered.Contains(m.SequenceNumber))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.DeliveredAt, deliveredAt), CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var (sequence, error) in failed)
        {
            await db.OutboxMessages.Where(m => m.SequenceNumber == sequence)
                .ExecuteUpdateAsync(
                    u => u.SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LastAttemptAt, deliveredAt).SetProperty(m => m.LastError, error),
                    CancellationToken.None).ConfigureAwait(false);
        }

        await db.OutboxPartitions.Where(p => p.Partition == partition)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.LastDispatchAt, deliveredAt), CancellationToken.None).ConfigureAwait(false);
        return delivered.Count;
    }

    private bool IsDue(OutboxMessageRecord message, DateTime now)
    {
        if (message.Attempts == 0 || message.LastAttemptAt is null)
        {
            return true;
        }

        var backoff = TimeSpan.FromMilliseconds(Math.Min(options.Value.MaxRetryDelay.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(message.Attempts - 1, 16))));
        return message.LastAttemptAt.Value + backoff <= now;
    }

    private async Task SendAsync(OutboxMessageRecord message, CancellationToken ct)
    {
        var destination = message.DestinationAddress
            ?? throw new InvalidOperationException($"Outbox message {message.SequenceNumber} has no destination address.");
        message.Deserialize(SystemTextJsonMessageSerializer.Instance);
        var availability = OutboxTelemetry.AvailabilityOf(message);
        using var activity = OutboxTelemetry.StartDeliver(message, availability);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.SendTimeout);
        var endpoint = await bus.GetSendEndpoint(destination).ConfigureAwait(false);
        try
        {
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), timeout.Token).ConfigureAwait(false);
            Published(availability);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "broker send timed out");
            throw new TimeoutException($"The broker did not accept the message for {destination} within {options.Value.SendTimeout}.");
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    /// <summary>Counts the latency of a delivered <c>AvailabilityChanged</c>: the broker has it, so it is published.</summary>
    private void Published(AvailabilityFacts? availability)
    {
        if (availability is not null)
        {
            metrics.AvailabilityPublished(time.GetUtcNow() - availability.LatestMovementOccurredAt);
        }
    }

    private static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        return text.Length <= 1000 ? text : text[..1000];
    }
}
