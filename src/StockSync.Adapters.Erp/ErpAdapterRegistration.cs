using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StockSync.Adapters.Erp;

/// <summary>Registers the ERP adapter's outbound side: options, the posting queue, the HTTP client and the dispatcher.</summary>
public static class ErpAdapterRegistration
{
    /// <summary>Adds the <c>Erp:Postings</c> options (validated at start-up), the queue, the ERP client and the dispatcher.</summary>
    public static IServiceCollection AddStockSyncErpAdapter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ErpPostingOptions>()
            .Bind(configuration.GetSection(ErpPostingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(HttpErpClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan); // each request has Erp:Postings:RequestTimeout
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IErpClient, HttpErpClient>();
        services.TryAddScoped<ErpPostingStore>();
        services.TryAddSingleton<ErpPostingDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ErpPostingDispatcher>());
        return services;
    }

    /// <summary>Adds the consumer that queues postings (<c>erp-postings</c>) to the bus.</summary>
    public static IBusRegistrationConfigurator AddStockSyncErpConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ErpPostingConsumer, ErpPostingConsumerDefinition>();
        return bus;
    }
}
