using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

        return bus;
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
