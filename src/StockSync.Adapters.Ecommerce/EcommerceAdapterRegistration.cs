using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StockSync.Adapters.Ecommerce.Availability;
using StockSync.Adapters.Ecommerce.Webhooks;
using StockSync.Persistence.Telemetry;

namespace StockSync.Adapters.Ecommerce;

/// <summary>
/// Registers the e-commerce adapter when <c>Ecommerce:Enabled</c> is true: its options (validated at start-up), the
/// webhook consumer, the availability consumers, the pusher and the resync schedule, and its HTTP endpoints. The host
/// also needs the database, the outbox and the ledger's services.
/// </summary>
public static class EcommerceAdapterRegistration
{
    /// <summary>Whether the configuration switches the adapter on.</summary>
    public static bool IsEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetValue<bool>($"{EcommerceOptions.Section}:{nameof(EcommerceOptions.Enabled)}");
    }

    /// <summary>Adds the <c>Ecommerce</c> options and the adapter's services (nothing but the options when it is off).</summary>
    public static IServiceCollection AddStockSyncEcommerceAdapter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EcommerceOptions>()
            .Bind(configuration.GetSection(EcommerceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (!IsEnabled(configuration))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(HttpStorefrontClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan); // each call has its own timeout
        services.TryAddSingleton<IStorefrontClient, HttpStorefrontClient>();
        services.TryAddSingleton(sp =>
        {
            // The channel push queue length gauge of the StockSync meter reads the coalescer's pending keys.
            var coalescer = new AvailabilityCoalescer();
            var channel = sp.GetRequiredService<IOptions<EcommerceOptions>>().Value.ChannelId;
            sp.GetRequiredService<StockSyncMetrics>().RegisterPushQueue(channel, () => coalescer.PendingCount);
            return coalescer;
        });
        services.TryAddSingleton<StockSyncMetrics>();
        services.TryAddSingleton<StorefrontPushStatus>();
        services.TryAddScoped<IStorefrontKeys, StorefrontKeys>();
        services.TryAddScoped<CheckoutHolds>();
        services.AddHostedService<AvailabilityPusher>();
        services.AddHostedService<StorefrontResyncSchedule>();
        services.AddHostedService<WebhookReceiptCleanup>();
        return services;
    }

    /// <summary>Adds the webhook consumer and the availability consumers to the bus (when the adapter is on).</summary>
    public static IBusRegistrationConfigurator AddStockSyncEcommerceConsumers(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (!IsEnabled(configuration))
        {
            return bus;
        }

        bus.AddConsumer<ShopifyWebhookConsumer, ShopifyWebhookConsumerDefinition>();
        bus.AddConsumer<StorefrontAvailabilityConsumer, StorefrontAvailabilityConsumerDefinition>();
        bus.AddConsumer<ResyncStorefrontConsumer, ResyncStorefrontConsumerDefinition>();
        return bus;
    }

    /// <summary>
    /// Maps the webhook endpoint (<c>POST /webhooks/shopify/{resource}/{event}</c>) and the operators' endpoints
    /// (<c>GET /ecommerce/storefront/status</c>, <c>POST /ecommerce/storefront/resync</c>), when the adapter is on.
    /// </summary>
    public static IEndpointRouteBuilder MapStockSyncEcommerce(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!IsEnabled(configuration))
        {
            return app;
        }

        app.MapShopifyWebhooks();
        var group = app.MapGroup("/ecommerce/storefront").WithTags("Storefront");
        group.MapGet("/status", (StorefrontPushStatus status, AvailabilityCoalescer coalescer) => TypedResults.Ok(status.Snapshot(coalescer.PendingCount)))
            .WithName("GetStorefrontPushStatus")
            .WithSummary("What the availability pusher has done: pushes, 429s, failures, keys skipped, pending keys, the pause it honours, latency.");
        group.MapPost("/resync", async (bool? full, HttpContext http, CancellationToken ct) =>
            {
                await StorefrontResyncSchedule.RequestAsync(http.RequestServices, "operator", full ?? false, ct);
                return TypedResults.Accepted((string?)null, new { requested = true, full = full ?? false });
            })
            .WithName("ResyncStorefront")
            .WithSummary("Offers every position of the storefront's channel again (?full=true: pushes every key even if unchanged).");
        return app;
    }
}
