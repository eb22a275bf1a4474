using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Ledger;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>
/// Feeds the storefront channel's exposed quantity from every <see cref="AvailabilityChanged"/> into the
/// <see cref="AvailabilityCoalescer"/>. It only records the newest value in memory and returns: it never waits for the
/// storefront, so a slow or throttled storefront never backs up the bus.
/// </summary>
public sealed class StorefrontAvailabilityConsumer(AvailabilityCoalescer coalescer, StorefrontPushStatus status, IOptions<EcommerceOptions> options)
    : IConsumer<AvailabilityChanged>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<AvailabilityChanged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var changed = context.Message;
        var channel = changed.Channels?.FirstOrDefault(c => c.ChannelId == options.Value.ChannelId);
        if (channel is null)
        {
            status.NotInChannel();
            return Task.CompletedTask;
        }

        status.Received();
        // The consume span travels with the value, so the storefront call later joins the trace of the change.
        status.Offered(coalescer.Offer(
            new StockKey(changed.Sku, changed.LocationId), changed.Version, channel.Quantity, changed.ChangedAt, origin: Activity.Current?.Context ?? default));
        return Task.CompletedTask;
    }
}

/// <summary>Asks the active storefront pusher to offer every position of the storefront's channel again.</summary>
public sealed record ResyncStorefront
{
    /// <summary>Forget what was pushed first, so every known key is pushed again (for a storefront that lost its data).</summary>
    public bool Full { get; init; }

    /// <summary>Who asked: <c>startup</c>, <c>schedule</c> or an operator.</summary>
    public required string RequestedBy { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>
/// Offers every position of the storefront's channel to the coalescer, read page by page through the ledger's read side
/// (<see cref="InventoryQueries.GetChannelPageAsync"/>). Only a version newer than what this process pushed goes out, so
/// a periodic resync costs the storefront nothing when nothing was missed, and after a crash or a fail-over (when this
/// process has pushed nothing yet) every key is pushed once.
/// </summary>
public sealed partial class ResyncStorefrontConsumer(
    InventoryQueries queries,
    AvailabilityCoalescer coalescer,
    StorefrontPushStatus status,
    IOptions<EcommerceOptions> options,
    ILogger<ResyncStorefrontConsumer> logger) : IConsumer<ResyncStorefront>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ResyncStorefront> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = options.Value;
        if (context.Message.Full)
        {
            coalescer.ForgetPushed();
        }

        StockKey? after = null;
        var offered = 0;
        var queued = 0;
        while (true)
        {
            var page = await queries.GetChannelPageAsync(settings.ChannelId, after, settings.Push.ResyncPageSize, context.CancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                LogNoChannel(logger, settings.ChannelId);
                return;
            }

            if (page.Count == 0)
            {
                break;
            }

            foreach (var position in page)
            {
                offered++;
                if (coalescer.Offer(new StockKey(position.Sku, position.LocationId), position.Version, position.Quantity, null, OfferPriority.Resync) != OfferOutcome.Stale)
                {
                    queued++;
                }
            }

            after = new StockKey(page[^1].Sku, page[^1].LocationId);
        }

        status.Resync(offered);
        LogResync(logger, context.Message.RequestedBy, context.Message.Full, offered, queued);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storefront resync: channel {ChannelId} is not configured (Channels:{ChannelId}); nothing can be pushed")]
    private static partial void LogNoChannel(ILogger logger, string channelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storefront resync ({RequestedBy}, full {Full}): {Offered} positions offered, {Queued} newer than what was pushed")]
    private static partial void LogResync(ILogger logger, string requestedBy, bool full, int offered, int queued);
}

/// <summary>
/// The storefront availability endpoint (<c>storefront-availability</c>): both consumers on one queue, which the host
/// declares with RabbitMQ's single-active-consumer, so one replica at a time holds the latest values and pushes them
/// (the storefront's rate limit is one budget for the whole installation; two pushers would race on a key).
/// </summary>
public sealed class StorefrontAvailabilityConsumerDefinition : ConsumerDefinition<StorefrontAvailabilityConsumer>
{
    public const string QueueName = "storefront-availability";

    public StorefrontAvailabilityConsumerDefinition()
    {
        EndpointName = QueueName;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<StorefrontAvailabilityConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.PrefetchCount = 256;
    }
}

/// <summary>The resync consumer shares the availability endpoint (and so its single active consumer).</summary>
public sealed class ResyncStorefrontConsumerDefinition : ConsumerDefinition<ResyncStorefrontConsumer>
{
    public ResyncStorefrontConsumerDefinition()
    {
        EndpointName = StorefrontAvailabilityConsumerDefinition.QueueName;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ResyncStorefrontConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)));
    }
}
