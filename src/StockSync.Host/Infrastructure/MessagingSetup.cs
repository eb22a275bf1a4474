using MassTransit;
using Microsoft.Extensions.Options;
using StockSync.Adapters.Erp;
using StockSync.Adapters.Ecommerce;
using StockSync.Adapters.Ecommerce.Availability;
using StockSync.Adapters.Marketplace;
using StockSync.Adapters.Oms;
using StockSync.Adapters.Pos;
using StockSync.Host.Operations;
using StockSync.Ledger;
using StockSync.Persistence.Outbox;
using StockSync.Sagas;

namespace StockSync.Host.Infrastructure;

/// <summary>MassTransit with the transport named in configuration, and the StockSync consumers.</summary>
internal static class MessagingSetup
{
    public static IServiceCollection AddStockSyncMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TransportOptions>()
            .Bind(configuration.GetSection(TransportOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<RabbitMqSettings>()
            .Bind(configuration.GetSection($"{TransportOptions.Section}:RabbitMq"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section));
        var transport = configuration.GetSection(TransportOptions.Section).Get<TransportOptions>() ?? new TransportOptions();

        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // Consumers and sagas write their messages to the outbox in their transaction; outside consumers
            // (HTTP, sweepers) the scoped IPublishEndpoint does too, saved with the request's SaveChanges.
            x.AddStockSyncEntityFrameworkOutbox(o => o.UseBusOutbox());
            x.AddStockSyncLedgerConsumers();
            x.AddStockSyncOrderSagas();
            x.AddStockSyncMarketplaceConsumers();
            x.AddStockSyncOmsConsumers();
            x.AddStockSyncPosConsumers();
            x.AddStockSyncErpConsumers();
            x.AddStockSyncEcommerceConsumers(configuration);

            if (transport.Kind == TransportKind.RabbitMq)
            {
                x.AddConfigureEndpointsCallback((context, name, endpoint) =>
                {
                    var settings = context.GetRequiredService<IOptions<RabbitMqSettings>>().Value;
                    if (settings.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        rabbit.SetQuorumQueue();
                    }

                    // One replica at a time holds the storefront's latest values and pushes them (its rate limit is
                    // one budget, and two pushers would race on a key); another takes over when it goes away.
                    if (name == StorefrontAvailabilityConsumerDefinition.QueueName && endpoint is IRabbitMqReceiveEndpointConfigurator single)
                    {
                        single.SingleActiveConsumer = true;
                    }
                });
                x.UsingRabbitMq((context, cfg) =>
                {
                    var settings = context.GetRequiredService<IOptions<RabbitMqSettings>>().Value;
                    cfg.Host(settings.Host, (ushort)settings.Port, settings.VirtualHost, h =>
                    {
                        h.Username(settings.Username);
                        h.Password(settings.Password);
                        if (settings.UseTls)
                        {
                            h.UseSsl(s => s.ServerName = settings.Host);
                        }
                    });
                    cfg.ExcludeMovementBaseFromTopology();
                    // Collects every receive endpoint's queue for the dead-letter ingestor (before they are configured).
                    cfg.ConnectEndpointConfigurationObserver(context.GetRequiredService<DeadLetterSources>());
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.ExcludeMovementBaseFromTopology();
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return services;
    }
}
