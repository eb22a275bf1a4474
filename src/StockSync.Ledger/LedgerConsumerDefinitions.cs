using MassTransit;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Inventory;

namespace StockSync.Ledger;

/// <summary>
/// Endpoint concerns of the batch consumers: every movement type shares the <c>inventory-ledger</c> queue, with
/// its own batch collector (size, time limit, batches in flight), and a last retry of the whole batch for a database
/// that stayed away longer than the partitions' own retries. A refused movement is never retried here: it is
/// forwarded to the isolated queue.
/// </summary>
public sealed class LedgerBatchConsumerDefinition<T> : ConsumerDefinition<LedgerBatchConsumer<T>>
    where T : StockMovement
{
    private readonly LedgerOptions _options;

    public LedgerBatchConsumerDefinition(IOptions<LedgerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        EndpointName = LedgerOptions.EndpointName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<LedgerBatchConsumer<T>> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.PrefetchCount;
        endpointConfigurator.ConcurrentMessageLimit = _options.PrefetchCount;
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.BatchMessageLimit)
            .SetTimeLimit(_options.BatchTimeLimit)
            .SetConcurrencyLimit(_options.BatchConcurrencyLimit));
        // The partitions retry conflicts and transient errors themselves (Ledger:RetryLimit); this is the outer net for a
        // database that stays away longer than that. The batch then runs again, and its committed parts are duplicates.
        consumerConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<MovementRejectedException>();
            r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
        });
    }
}

/// <summary>
/// Endpoint concerns of the one-at-a-time consumers: the isolated queue takes only forwarded movements (it binds
/// to no exchange) and runs them behind the StockSync inbox and outbox. Retries are endpoint-wide, outside the
/// outbox, so every attempt is a fresh transaction: transient failures are retried, a negative-bucket refusal gets
/// a few delayed chances (an ordering race settles), and every other refusal faults straight to the error queue.
/// </summary>
public sealed class LedgerSingleMovementConsumerDefinition<T> : ConsumerDefinition<LedgerSingleMovementConsumer<T>>
    where T : StockMovement
{
    public LedgerSingleMovementConsumerDefinition()
    {
        EndpointName = LedgerOptions.IsolatedEndpointName;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<LedgerSingleMovementConsumer<T>> consumerConfigurator,
        IRegistrationContext context)
    {
        // Retry and the inbox/outbox are endpoint-wide: see LedgerRegistration.ConfigureIsolatedEndpoint.
        endpointConfigurator.ConfigureConsumeTopology = false;
    }
}
