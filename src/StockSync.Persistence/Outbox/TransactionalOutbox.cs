using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// The bus outbox of one scope: whatever is published or sent through <see cref="PublishEndpoint"/> or
/// <see cref="SendEndpointProvider"/> becomes an outbox row in the scope's <see cref="StockSyncDbContext"/>, and is
/// stored by that context's next <c>SaveChanges</c> (or the commit of its transaction). So an HTTP request, a sweeper
/// or a batch consumer that changes the database and publishes does both or neither.
/// Outside a consume context, the scoped <see cref="IPublishEndpoint"/> and <see cref="ISendEndpointProvider"/>
/// resolve to this when the bus outbox is on (see <see cref="OutboxScopedBusContextProvider"/>).
/// </summary>
public sealed class TransactionalOutbox(
    IBus bus,
    StockSyncDbContext db,
    IServiceProvider provider,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<TransactionalOutbox> logger) : OutboxSendContext, IDisposable
{
    private IPublishEndpoint? _publish;
    private ISendEndpointProvider? _send;

    /// <summary>Publishes into the outbox.</summary>
    public IPublishEndpoint PublishEndpoint => _publish ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    /// <summary>Sends into the outbox.</summary>
    public ISendEndpointProvider SendEndpointProvider => _send ??= new OutboxSendEndpointProvider(this, bus);

    /// <inheritdoc />
    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        OutboxWriter.Add(db, context, options.Value.Partitions, time.GetUtcNow().UtcDateTime);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType) => provider.GetService(serviceType);

    /// <summary>Warns about messages published into the outbox that were never saved: they are not sent.</summary>
    public void Dispose()
    {
        // A plain flag on the context: the DbContext itself may already be disposed with its scope.
        if (db.OutboxRowsPending)
        {
            logger.LogError(
                "Messages were published through the transactional outbox but the scope ended without a committed SaveChanges: they were not stored and will not be sent");
        }
    }
}

/// <summary>
/// Replaces MassTransit's scoped bus context: inside a consume context it behaves as MassTransit's own (the consume
/// context, or the consumer's outbox when the endpoint uses it); outside one, publishes and sends go to the
/// <see cref="TransactionalOutbox"/>.
/// </summary>
public sealed class OutboxScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public OutboxScopedBusContextProvider(
        IBus bus,
        Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> consumeContextProvider,
        IScopedConsumeContextProvider globalConsumeContextProvider,
        TransactionalOutbox outbox,
        IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        ArgumentNullException.ThrowIfNull(consumeContextProvider);
        ArgumentNullException.ThrowIfNull(globalConsumeContextProvider);
        if (consumeContextProvider.Value.HasContext)
        {
            Context = new ConsumeContextScopedBusContext(consumeContextProvider.Value.GetContext(), clientFactory.Value);
        }
        else if (globalConsumeContextProvider.HasContext)
        {
            Context = new ConsumeContextScopedBusContext<IBus>(bus, globalConsumeContextProvider.GetContext(), clientFactory.Value, provider);
        }
        else
        {
            Context = new OutboxBusContext(outbox, new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory.Value, provider)), null));
        }
    }

    /// <inheritdoc />
    public ScopedBusContext Context { get; }

    private sealed class OutboxBusContext(TransactionalOutbox outbox, IScopedClientFactory clients) : ScopedBusContext
    {
        public ISendEndpointProvider SendEndpointProvider => outbox.SendEndpointProvider;

        public IPublishEndpoint PublishEndpoint => outbox.PublishEndpoint;

        public IScopedClientFactory ClientFactory => clients;
    }
}
