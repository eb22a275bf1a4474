using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StockSync.Contracts;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence.Ledger;

namespace StockSync.Ledger;

/// <summary>Registers the ledger service: its options, writer, read side, and MassTransit consumers.</summary>
public static class LedgerRegistration
{
    /// <summary>Adds the ledger's services (not its consumers: see <see cref="AddStockSyncLedgerConsumers"/>).</summary>
    public static IServiceCollection AddStockSyncLedger(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ChannelOptions>().Configure(o => configuration.GetSection(ChannelOptions.Section).Bind(o.Channels));
        services.AddSingleton(sp => new ChannelExposure(sp.GetRequiredService<IOptions<ChannelOptions>>().Value.ToPolicies()));
        services.AddSingleton<IValidateOptions<ChannelOptions>, ChannelOptionsValidator>();
        services.AddOptions<ChannelOptions>().ValidateOnStart();
        services.AddScoped<LedgerBatchWriter>();
        services.TryAddSingleton<LedgerPartitions>();
        services.TryAddSingleton<StockSync.Persistence.Telemetry.StockSyncMetrics>();
        services.AddScoped<InventoryQueries>();
        services.AddScoped<CatalogService>();
        return services;
    }

    /// <summary>Adds a batch consumer and an isolated single-movement consumer for every canonical movement type.</summary>
    public static IBusRegistrationConfigurator AddStockSyncLedgerConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        foreach (var movement in MessageCatalog.Movements)
        {
            bus.AddConsumer(typeof(LedgerBatchConsumer<>).MakeGenericType(movement), typeof(LedgerBatchConsumerDefinition<>).MakeGenericType(movement));
            bus.AddConsumer(typeof(LedgerSingleMovementConsumer<>).MakeGenericType(movement), typeof(LedgerSingleMovementConsumerDefinition<>).MakeGenericType(movement));
        }

        bus.AddConfigureEndpointsCallback(ConfigureIsolatedEndpoint);
        return bus;
    }

    /// <summary>
    /// The isolated endpoint serves every movement type one at a time, through the ledger's partitions (which commit the
    /// movement with its publications). Its retries: a negative-bucket refusal gets a few delayed chances (an ordering
    /// race settles), transient failures are retried, and every other refusal faults straight to the error queue with
    /// its reason. No consumer inbox or outbox around it: a transaction held open while the partition writes would
    /// deadlock SQLite's single writer, and a redelivered movement is already a duplicate by its source id.
    /// </summary>
    private static void ConfigureIsolatedEndpoint(IRegistrationContext context, string name, IReceiveEndpointConfigurator endpoint)
    {
        if (name != LedgerOptions.IsolatedEndpointName)
        {
            return;
        }

        var options = context.GetRequiredService<IOptions<LedgerOptions>>().Value;
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<MovementRejectedException>(e => e.Kind == RejectionKind.NegativeBucket);
            r.Intervals(options.NegativeBucketRetries);
        });
        endpoint.UseMessageRetry(r =>
        {
            r.Ignore<MovementRejectedException>();
            r.Incremental(options.RetryLimit, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50));
        });
    }

    /// <summary>
    /// Keeps the abstract <see cref="StockMovement"/> base out of the broker topology: publishers publish concrete
    /// movement types only, so no exchange fans every movement out to everyone.
    /// </summary>
    public static void ExcludeMovementBaseFromTopology(this IBusFactoryConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.Publish<StockMovement>(p => p.Exclude = true);
    }

    private sealed class ChannelOptionsValidator : IValidateOptions<ChannelOptions>
    {
        public ValidateOptionsResult Validate(string? name, ChannelOptions options)
        {
            var problems = options.ToPolicies().SelectMany(p => p.Validate()).ToList();
            return problems.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(problems.Select(p => $"{ChannelOptions.Section}: {p}"));
        }
    }
}
