using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StockSync.Persistence;
using StockSync.Persistence.Outbox;

// In MassTransit's namespace, like the library's AddEntityFrameworkOutbox / UseEntityFrameworkOutbox.
#pragma warning disable IDE0130
namespace MassTransit;
#pragma warning restore IDE0130

/// <summary>What <see cref="StockSyncOutboxConfigurationExtensions.AddStockSyncEntityFrameworkOutbox"/> sets up.</summary>
public sealed class StockSyncOutboxConfigurator
{
    internal bool BusOutbox { get; private set; }

    internal bool DeliveryService { get; private set; } = true;

    internal bool CleanupService { get; private set; } = true;

    internal List<Action<OutboxOptions>> Settings { get; } = [];

    /// <summary>
    /// Outside consumers (HTTP requests, hosted services), the scoped <see cref="IPublishEndpoint"/> and
    /// <see cref="ISendEndpointProvider"/> write to the outbox, saved with the scope's <c>SaveChanges</c>.
    /// </summary>
    public StockSyncOutboxConfigurator UseBusOutbox()
    {
        BusOutbox = true;
        return this;
    }

    /// <summary>No dispatcher in this process (another process delivers).</summary>
    public StockSyncOutboxConfigurator DisableDeliveryService()
    {
        DeliveryService = false;
        return this;
    }

    /// <summary>No cleanup of delivered outbox rows and expired inbox rows in this process.</summary>
    public StockSyncOutboxConfigurator DisableInboxCleanupService()
    {
        CleanupService = false;
        return this;
    }

    /// <summary>Adjusts <see cref="OutboxOptions"/> (after the <c>Outbox</c> configuration section is bound).</summary>
    public StockSyncOutboxConfigurator Options(Action<OutboxOptions> configure)
    {
        Settings.Add(configure);
        return this;
    }
}

/// <summary>
/// StockSync's transactional inbox and outbox, registered the way MassTransit.EntityFrameworkCore's is:
/// <code>
/// x.AddStockSyncEntityFrameworkOutbox(o => o.UseBusOutbox());                  // ≈ x.AddEntityFrameworkOutbox&lt;TDbContext&gt;(o => o.UseBusOutbox())
/// x.AddConfigureEndpointsCallback((context, _, e) => e.UseStockSyncEntityFrameworkOutbox(context)); // ≈ e.UseEntityFrameworkOutbox&lt;TDbContext&gt;(context)
/// </code>
/// </summary>
public static class StockSyncOutboxConfigurationExtensions
{
    /// <summary>Registers the inbox/outbox services, the dispatcher and the cleanup (hosted services), and optionally the bus outbox.</summary>
    public static IBusRegistrationConfigurator AddStockSyncEntityFrameworkOutbox(
        this IBusRegistrationConfigurator configurator,
        Action<StockSyncOutboxConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var outbox = new StockSyncOutboxConfigurator();
        configure?.Invoke(outbox);

        configurator.TryAddSingleton(TimeProvider.System);
        configurator.TryAddSingleton<OutboxSignal>();
        configurator.TryAddSingleton<StockSync.Persistence.Telemetry.StockSyncMetrics>();
        var options = configurator.AddOptions<OutboxOptions>().ValidateDataAnnotations().ValidateOnStart();
        foreach (var setting in outbox.Settings)
        {
            options.PostConfigure(setting);
        }

        configurator.TryAddScoped<IOutboxContextFactory<StockSyncDbContext>, DbOutboxContextFactory>();
        configurator.TryAddScoped<TransactionalOutbox>();
        if (outbox.BusOutbox)
        {
            configurator.Replace(ServiceDescriptor.Scoped<IScopedBusContextProvider<IBus>, OutboxScopedBusContextProvider>());
        }

        if (outbox.DeliveryService)
        {
            configurator.TryAddSingleton<OutboxDispatcher>();
            configurator.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        }

        if (outbox.CleanupService)
        {
            configurator.TryAddSingleton<OutboxCleanup>();
            configurator.AddHostedService(sp => sp.GetRequiredService<OutboxCleanup>());
        }

        return configurator;
    }

    /// <summary>
    /// Puts every consumer and saga configured on this endpoint after this call behind the inbox and outbox: one
    /// transaction holds the inbox row, the state change and the outgoing messages. Configure message retry at the
    /// endpoint (<c>e.UseMessageRetry</c>), outside the outbox, so each retry runs a fresh transaction.
    /// </summary>
    public static void UseStockSyncEntityFrameworkOutbox(this IReceiveEndpointConfigurator configurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);
        var observer = new OutboxConsumePipeSpecificationObserver<StockSyncDbContext>(configurator, context);
        configurator.ConnectConsumerConfigurationObserver(observer);
        configurator.ConnectSagaConfigurationObserver(observer);
    }
}
