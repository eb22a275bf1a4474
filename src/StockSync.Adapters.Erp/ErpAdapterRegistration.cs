using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StockSync.Adapters.Erp;

/// <summary>
/// Registers the ERP adapter: outbound, the posting queue, its HTTP client and the dispatcher; inbound, the feed poller
/// and the drop-folder reader (both idle until <c>Erp:Inbound:Url</c> or <c>Erp:Inbound:DropFolder</c> is set).
/// </summary>
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

        services.AddOptions<Inbound.ErpInboundOptions>()
            .Bind(configuration.GetSection(Inbound.ErpInboundOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(Inbound.ErpFeedPoller.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan); // each request has Erp:Inbound:RequestTimeout
        services.TryAddScoped<Inbound.ErpMasterData>();
        services.TryAddScoped<Inbound.ErpFeedIntake>();
        services.TryAddSingleton<Inbound.ErpFeedPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<Inbound.ErpFeedPoller>());
        services.TryAddSingleton<Inbound.ErpDropFolder>();
        services.AddHostedService(sp => sp.GetRequiredService<Inbound.ErpDropFolder>());
        return services;
    }

    /// <summary>
    /// Adds the consumers: postings (<c>erp-postings</c>), inbound documents (<c>erp-documents</c>) and snapshot parts
    /// (<c>erp-snapshots</c>).
    /// </summary>
    public static IBusRegistrationConfigurator AddStockSyncErpConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ErpPostingConsumer, ErpPostingConsumerDefinition>();
        bus.AddConsumer<Inbound.ErpDocumentConsumer, Inbound.ErpDocumentConsumerDefinition>();
        bus.AddConsumer<Inbound.ErpSnapshotConsumer, Inbound.ErpSnapshotConsumerDefinition>();
        return bus;
    }
}
