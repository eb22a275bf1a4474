using MassTransit;
using Microsoft.Extensions.Logging;
using StockSync.Contracts.Inventory;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Outbox;

namespace StockSync.Ledger;

/// <summary>
/// Applies movements of one type in batches: one transaction per batch holds the inbox rows of the batch's messages,
/// the ledger and position changes, and (through the transactional outbox) every <see cref="AvailabilityChanged"/>,
/// gap event and forwarded refusal. Movements the batch refuses are forwarded, with their headers, to the isolated
/// queue, so that one bad movement never faults its neighbours. A redelivered message is skipped by the inbox.
/// </summary>
public sealed class LedgerBatchConsumer<T>(LedgerBatchWriter writer, TransactionalOutbox outbox, ILogger<LedgerBatchConsumer<T>> logger) : IConsumer<Batch<T>>
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
        var messageIds = batch.Select(c => c.MessageId ?? throw new MessageException(typeof(T), "The ledger's inbox needs a MessageId on every movement.")).ToList();
        var inbox = new LedgerInbox(ConsumerId, ConsumerName, messageIds);

        var result = await writer.ApplyAsync(movements, inbox, (result, ct) => EnqueueAsync(batch, result, ct), context.CancellationToken).ConfigureAwait(false);

        logger.LogDebug(
            "Applied {Applied} of {Count} {MovementType} movements ({Duplicates} duplicates, {Rejected} refused)",
            result.Applied, movements.Count, typeof(T).Name, result.DuplicateIndexes.Count, result.Rejections.Count);
    }

    private async Task EnqueueAsync(Batch<T> batch, LedgerBatchResult result, CancellationToken ct)
    {
        await LedgerPublications.PublishAsync(outbox.PublishEndpoint, result, ct).ConfigureAwait(false);
        if (result.Rejections.Count == 0)
        {
            return;
        }

        // The endpoint's exchange, not "queue:": a queue address makes the sender declare the queue with default
        // arguments, which RabbitMQ refuses for a queue the receive endpoint declared as a quorum queue.
        var isolated = await outbox.SendEndpointProvider.GetSendEndpoint(new Uri($"exchange:{LedgerOptions.IsolatedEndpointName}")).ConfigureAwait(false);
        foreach (var rejection in result.Rejections)
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
/// Applies one movement in the transaction of the consumer outbox (its endpoint uses the StockSync inbox and
/// outbox, so a redelivery is acknowledged without effects and its publications commit with it). It serves movements a batch refused: if the movement still
/// cannot apply, it throws <see cref="MovementRejectedException"/> with the reason, and MassTransit moves it to
/// the error queue, from where it can be replayed once the cause is fixed.
/// </summary>
public sealed class LedgerSingleMovementConsumer<T>(LedgerBatchWriter writer) : IConsumer<T>
    where T : StockMovement
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<T> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var movement = context.Message;
        var result = await writer.ApplyAsync([movement], context.CancellationToken).ConfigureAwait(false);
        if (result.Rejections is [var rejection])
        {
            throw new MovementRejectedException(
                rejection.Outcome.Kind, typeof(T).Name, movement.SourceSystem, movement.SourceMessageId, rejection.Outcome.Reason);
        }

        await LedgerPublications.PublishAsync(context, result, context.CancellationToken).ConfigureAwait(false);
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
