using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StockSync.Adapters.Oms;

/// <summary>Registers the OMS adapter.</summary>
public static class OmsAdapterRegistration
{
    /// <summary>Adds the <c>Oms</c> options and the HTTP client.</summary>
    public static IServiceCollection AddStockSyncOmsAdapter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OmsOptions>()
            .Bind(configuration.GetSection(OmsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(OmsFulfillmentConsumer.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }

    /// <summary>Adds the consumer that sends fulfillment requests and cancellations to the OMS.</summary>
    public static IBusRegistrationConfigurator AddStockSyncOmsConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<OmsFulfillmentConsumer, OmsFulfillmentConsumerDefinition>();
        return bus;
    }
}
