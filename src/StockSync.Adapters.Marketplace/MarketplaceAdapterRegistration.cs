using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StockSync.Adapters.Marketplace;

/// <summary>Registers the marketplace adapter: its endpoints' configuration, the HTTP client, the order poller and the consumers.</summary>
public static class MarketplaceAdapterRegistration
{
    /// <summary>Adds the <c>Marketplaces:Endpoints</c> options and the HTTP marketplace client.</summary>
    public static IServiceCollection AddStockSyncMarketplaceAdapter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MarketplaceEndpointOptions>()
            .Bind(configuration.GetSection(MarketplaceEndpointOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(HttpMarketplaceClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan); // each call has its endpoint's timeout
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMarketplaceClient, HttpMarketplaceClient>();
        services.AddHostedService<MarketplaceOrderPoller>();
        return services;
    }

    /// <summary>Adds the marketplace consumers: acknowledgments out, downloaded orders in, shipment confirmations out.</summary>
    public static IBusRegistrationConfigurator AddStockSyncMarketplaceConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<AcknowledgeMarketplaceOrderConsumer, AcknowledgeMarketplaceOrderConsumerDefinition>();
        bus.AddConsumer<MarketplaceOrderDownloadedConsumer, MarketplaceOrderDownloadedConsumerDefinition>();
        bus.AddConsumer<MarketplaceShipmentConsumer, MarketplaceShipmentConsumerDefinition>();
        return bus;
    }
}
