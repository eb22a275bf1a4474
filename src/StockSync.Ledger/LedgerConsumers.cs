using MassTransit;
using Microsoft.Extensions.Logging;
using StockSync.Contracts.Inventory;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Outbox;

namespace StockSync.Ledger;

/// <summary>
/// Takes movements of one type in batches (MassTransit's batch collector) and hands them to the ledger's partitions
/// (<see cref="LedgerPartitions"/>), which apply them, with every other movement queued for the same partitions, in
/// transactions that hold the inbox rows of their transport messages, the ledger and position changes, and (through the
/// transactional outbox) every <see cref="AvailabilityChanged"/>, gap event and forwarded refusal. The batch completes,
/// and its messages are acknowledged, once all of it is committed. Movements refused are forwarded, with their headers,
/// to the isolated queue in the transaction that refused them, so one bad movement never faults its neighbours. A
/// redelivered message is skipped by the inbox.
/// </summary>
public sealed class LedgerBatchConsumer<T>(LedgerPartitions partitions, ILogger<LedgerBatchConsumer<T>> logger) : IConsumer<Batch<T>>
    where T : StockMovement
{
    private static readonly string ConsumerName = $"{LedgerOptions.EndpointName}/{typeof(LedgerBatchConsumer<T>).Name[..^2]}<{typeof(T).Name}>";
    private static readonly Guid ConsumerId = InboxNames.ConsumerId(ConsumerName);

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<Batch<T>> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message;
        var movements = batch.Select(c => (StockMovement)c.Message).ToList();
        var claims = batch
            .Select(c => new InboxClaim(ConsumerId, ConsumerName, c.MessageId ?? throw new MessageException(typeof(T), "The ledger's inbox needs a MessageId on every movement.")))
            .ToList();

        var outcome = await partitions.ApplyAsync(movements, claims, (rejections, outbox, ct) => ForwardAsync(batch, rejections, outbox), context.CancellationToken).ConfigureAwait(false);

        logger.LogDebug(
            "Applied {Applied} of {Count} {MovementType} movements ({Duplicates} duplicates, {Rejected} refused)",
            outcome.Applied, movements.Count, typeof(T).Name, outcome.DuplicateIndexes.Count, outcome.Rejections.Count);
    }

    private async Task ForwardAsync(Batch<T> batch, IReadOnlyList<LedgerRejection> rejections, ISendEndpointProvider outbox)
    {
        // The endpoint's exchange, not "queue:": a queue address makes the sender declare the queue with default
        // arguments, which RabbitMQ refuses for a queue the receive endpoint declared as a quorum queue.
        var isolated = await outbox.GetSendEndpoint(new Uri($"exchange:{LedgerOptions.IsolatedEndpointName}")).ConfigureAwait(false);
        foreach (var rejection in rejections)
        {
            logger.LogInformation(
                "Movement {SourceSystem}/{SourceMessageId} for {Sku} at {LocationId} refused in batch, applying it alone: {Reason}",
                rejection.Movement.SourceSystem, rejection.Movement.SourceMessageId, rejection.Movement.Sku,
                rejection.Movement.LocationId, rejection.Outcome.Reason);
            await batch[rejection.Index].Forward(isolated).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Applies one movement a batch refused, alone, through the ledger's partitions like every other movement (so it never
/// races a partition's transaction on its position). If it still cannot apply, it throws
/// <see cref="MovementRejectedException"/> with the reason: the endpoint's retries give a negative-bucket refusal a few
/// delayed chances, and MassTransit then moves it to the error queue, from where it can be replayed once the cause is
/// fixed. The endpoint keeps its own inbox (the generic consumer inbox), so the partition claims none for it; a
/// movement the partition committed but whose message came again is a duplicate by its source id.
/// </summary>
public sealed class LedgerSingleMovementConsumer<T>(LedgerPartitions partitions) : IConsumer<T>
    where T : StockMovement
{
    private static readonly RefusedInTransaction NothingToForward = (_, _, _) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<T> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var movement = context.Message;
        var outcome = await partitions.ApplyAsync([movement], [null], NothingToForward, context.CancellationToken).ConfigureAwait(false);
        if (outcome.Rejections is [var rejection])
        {
            throw new MovementRejectedException(
                rejection.Outcome.Kind, typeof(T).Name, movement.SourceSystem, movement.SourceMessageId, rejection.Outcome.Reason);
        }
    }
}

internal static class LedgerPublications
{
    public static async Task PublishAsync(IPublishEndpoint publisher, LedgerBatchResult result, CancellationToken ct)
    {
        foreach (var changed in result.AvailabilityChanges)
        {
            await publisher.Publish(changed, ct).ConfigureAwait(false);
        }

        foreach (var gap in result.GapsOpened)
        {
            await publisher.Publish(gap, ct).ConfigureAwait(false);
        }

        if (result.MovementsApplied is { } applied)
        {
            await publisher.Publish(applied, ct).ConfigureAwait(false);
        }
    }
}
