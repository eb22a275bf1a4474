using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Erp;

/// <summary>
/// Queues ERP postings: one per <see cref="ErpPostingRequested"/> (the sagas' shipments and inspected returns), and one
/// per sale, return and adjustment in <see cref="MovementsApplied"/>, the ledger's own record of what it applied, so a
/// movement the ledger refused is never posted. The rows are written in the consumer's inbox/outbox transaction and
/// nothing here talks to the ERP: the dispatcher sends them later, so an ERP outage never holds up the bus or a sale.
/// </summary>
public sealed partial class ErpPostingConsumer(ErpPostingStore queue, IOptions<ErpPostingOptions> options, ILogger<ErpPostingConsumer> logger)
    : IConsumer<ErpPostingRequested>, IConsumer<MovementsApplied>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ErpPostingRequested> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var added = await queue.EnqueueAsync([ErpPostingDocument.For(context.Message)], context.CancellationToken).ConfigureAwait(false);
        LogQueued(logger, added, 1);
    }

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<MovementsApplied> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var excluded = options.Value.SourceSystemsNotPosted;
        var postings = context.Message.Movements.Select(m => ErpPostingDocument.For(m, excluded)).OfType<ErpPostingDocument>().ToList();
        if (postings.Count == 0)
        {
            return;
        }

        var added = await queue.EnqueueAsync(postings, context.CancellationToken).ConfigureAwait(false);
        LogQueued(logger, added, postings.Count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queued {Added} of {Count} ERP postings (the rest were queued before)")]
    private static partial void LogQueued(ILogger logger, int added, int count);
}

/// <summary>
/// The <c>erp-postings</c> endpoint: retries outside the StockSync inbox and outbox (each attempt is a fresh
/// transaction; two replicas queuing the same new posting meet on its unique id and the loser's retry finds the row),
/// and one message at a time, so postings are queued, and numbered, in the order this replica consumed them.
/// </summary>
public sealed class ErpPostingConsumerDefinition : ConsumerDefinition<ErpPostingConsumer>
{
    public const string QueueName = "erp-postings";

    public ErpPostingConsumerDefinition()
    {
        EndpointName = QueueName;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ErpPostingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(context);
        endpointConfigurator.PrefetchCount = 16;
        endpointConfigurator.ConcurrentMessageLimit = 1;
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<ArgumentException>();
            r.Exponential(10, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        });
        endpointConfigurator.UseStockSyncEntityFrameworkOutbox(context);
    }
}
