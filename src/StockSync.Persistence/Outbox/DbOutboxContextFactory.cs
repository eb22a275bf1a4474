using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// StockSync's inbox and outbox for one consumed message, plugged into MassTransit's <c>OutboxConsumeFilter</c>:
/// one transaction holds the inbox row, everything the consumer or saga changed, and every message it published or
/// sent. A message whose inbox row exists is acknowledged without running the consumer again. Two deliveries of the
/// same message racing on two replicas meet on the inbox row's key: the second waits, fails, and is then seen as a
/// duplicate.
/// </summary>
public sealed class DbOutboxContextFactory(
    StockSyncDbContext db,
    IServiceProvider provider,
    IOptions<OutboxOptions> outbox,
    TimeProvider time,
    ILogger<DbOutboxContextFactory> logger) : IOutboxContextFactory<StockSyncDbContext>
{
    private const int InboxRaceAttempts = 3;

    /// <inheritdoc />
    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = context.CreateFilterScope("outboxContextFactory");
        scope.Add("provider", "stocksync-entity-framework");
    }

    /// <inheritdoc />
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(next);
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The StockSync inbox needs a MessageId on every message.");
        var consumer = InboxNames.Consumer(context.ReceiveContext.InputAddress, options.ConsumerType);

        for (var attempt = 1; ; attempt++)
        {
            var strategy = db.Database.CreateExecutionStrategy();
            var (outcome, inbox) = await strategy.ExecuteAsync(
                () => ConsumeOnceAsync(context, options, next, messageId, consumer)).ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Consumed:
                    return;
                case Outcome.Duplicate:
                    logger.LogInformation(
                        "Message {MessageId} was already consumed by {Consumer}; acknowledged without effects (received {ReceiveCount} times)",
                        messageId, consumer, inbox!.ReceiveCount);
                    await next.Send(new DbOutboxConsumeContext<T>(context, options, provider, db, inbox, alreadyConsumed: true, outbox.Value, time)).ConfigureAwait(false);
                    return;
                case Outcome.InboxRace when attempt < InboxRaceAttempts:
                    continue;
                default:
                    throw new InvalidOperationException($"Message {messageId} for {consumer}: the inbox row stayed contended after {attempt} attempts.");
            }
        }
    }

    private async Task<(Outcome, InboxStateRecord?)> ConsumeOnceAsync<T>(
        ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next, Guid messageId, string consumer)
        where T : class
    {
        var ct = context.CancellationToken;
        db.ResetUnitOfWork();
        await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;

        // Counting the repeat in SQL (not read-modify-write) keeps concurrent duplicates from losing counts.
        var seen = await db.InboxStates
            .Where(i => i.MessageId == messageId && i.ConsumerId == options.ConsumerId)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.ReceiveCount, i => i.ReceiveCount + 1).SetProperty(i => i.LastDuplicateAt, now), ct)
            .ConfigureAwait(false);
        if (seen > 0)
        {
            var consumed = await db.InboxStates.AsNoTracking()
                .SingleAsync(i => i.MessageId == messageId && i.ConsumerId == options.ConsumerId, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return (Outcome.Duplicate, consumed);
        }

        var inbox = new InboxStateRecord
        {
            MessageId = messageId,
            ConsumerId = options.ConsumerId,
            Consumer = consumer,
            ReceivedAt = now,
            ConsumedAt = now,
            ReceiveCount = 1,
        };
        db.InboxStates.Add(inbox);
        try
        {
            // Written first: a concurrent delivery of the same message blocks here until this transaction ends.
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            return (Outcome.InboxRace, null);
        }

        var outboxContext = new DbOutboxConsumeContext<T>(context, options, provider, db, inbox, alreadyConsumed: false, outbox.Value, time);
        await next.Send(outboxContext).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return (Outcome.Consumed, inbox);
    }

    private enum Outcome
    {
        Consumed,
        Duplicate,
        InboxRace,
    }
}

/// <summary>Readable consumer names for the inbox.</summary>
public static class InboxNames
{
    /// <summary><c>endpoint/consumer type</c>, at most 256 characters.</summary>
    public static string Consumer(Uri? inputAddress, string? consumerType)
    {
        var endpoint = inputAddress?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "unknown";
        var name = $"{endpoint}/{consumerType ?? "unknown"}";
        return name.Length <= 256 ? name : name[..256];
    }

    /// <summary>A stable consumer id from a name (for consumers that keep their own inbox, such as batch consumers).</summary>
    public static Guid ConsumerId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        return new Guid(hash.AsSpan(0, 16));
    }
}
