using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Ecommerce.Webhooks;

/// <summary>
/// Turns an accepted storefront webhook into canonical commands, in the transaction of StockSync's inbox and outbox (a
/// redelivered message changes nothing; the checkout-hold rows and the published commands commit together):
/// <list type="table">
/// <item><term><c>orders/create</c></term><description><see cref="FulfillOrder"/> (shipped), or <see cref="ReserveForPickup"/>
/// when the order names a <c>pickup_location_id</c>; order id <c>shopify:{order id}</c>. A checkout hold the order
/// completes is handed over to fulfilment (<see cref="FulfillOrder.Reservations"/>), or released for a pickup order.</description></item>
/// <item><term><c>orders/cancelled</c></term><description><see cref="CancelOrder"/>.</description></item>
/// <item><term><c>refunds/create</c></term><description><see cref="ReceiveReturn"/> for the restocked lines (<c>restock_type</c>
/// <c>return</c> or <c>legacy_restock</c>), one per restock location; a refund without restocked lines moves no stock.</description></item>
/// <item><term><c>checkouts/create</c></term><description><see cref="StockReserved"/> per line under reservation id
/// <c>shopify-checkout:{token}</c>.</description></item>
/// <item><term><c>checkouts/delete</c></term><description><see cref="ReservationReleased"/> of what that checkout holds.</description></item>
/// </list>
/// Variant ids (or SKU texts) and location ids are mapped through the ExternalIds tables; an unmapped one faults the
/// message, raw payload and all, with the reason naming the mapping to add.
/// </summary>
public sealed partial class ShopifyWebhookConsumer(
    ExternalIds ids,
    CheckoutHolds holds,
    IOptions<EcommerceOptions> options,
    ILogger<ShopifyWebhookConsumer> logger) : IConsumer<ShopifyWebhookReceived>
{
    private EcommerceOptions Settings => options.Value;

    /// <inheritdoc />
    public Task Consume(ConsumeContext<ShopifyWebhookReceived> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Message.Topic switch
        {
            ShopifyTopics.OrdersCreate => OrderCreatedAsync(context),
            ShopifyTopics.OrdersCancelled => OrderCancelledAsync(context),
            ShopifyTopics.RefundsCreate => RefundCreatedAsync(context),
            ShopifyTopics.CheckoutsCreate => CheckoutCreatedAsync(context),
            ShopifyTopics.CheckoutsDelete => CheckoutDeletedAsync(context),
            _ => throw new InvalidWebhookPayloadException(context.Message, $"StockSync does not take the topic '{context.Message.Topic}'."),
        };
    }

    /// <summary>StockSync's order id of a storefront order: <c>{system}:{order id}</c>, e.g. <c>shopify:820982911946154508</c>.</summary>
    public static string OrderIdOf(string system, string shopifyOrderId) => $"{system}:{shopifyOrderId}";

    /// <summary>The ledger reservation id of a checkout's hold: <c>{system}-checkout:{token}</c>.</summary>
    public static string ReservationIdOf(string system, string checkoutToken) => StableIds.Bounded($"{system}-checkout:{checkoutToken}");

    private async Task OrderCreatedAsync(ConsumeContext<ShopifyWebhookReceived> context)
    {
        var webhook = context.Message;
        var order = ShopifyJson.Read<ShopifyOrder>(webhook);
        var shopifyId = RequireId(webhook, order.Id, "id");
        var orderId = OrderIdOf(Settings.System, shopifyId);
        var lines = await MapLinesAsync(webhook, order.LineItems, context.CancellationToken).ConfigureAwait(false);
        if (lines.Count == 0)
        {
            LogNoStockLines(logger, webhook.Topic, webhook.WebhookId, orderId);
            return;
        }

        var placedAt = order.CreatedAt ?? webhook.TriggeredAt ?? webhook.ReceivedAt;
        var hold = string.IsNullOrWhiteSpace(order.CheckoutToken)
            ? null
            : await holds.TakeForOrderAsync(Settings.System, order.CheckoutToken, orderId, webhook.ReceivedAt, context.CancellationToken).ConfigureAwait(false);

        if (order.PickupLocationId is { Length: > 0 } pickup)
        {
            var store = await ids.RequireLocationAsync(Settings.System, pickup, context.CancellationToken).ConfigureAwait(false);
            // The pickup reserves at the customer's store itself: the checkout's hold is given back whole.
            await PublishAllAsync(context, hold?.ReleaseAll(webhook.ReceivedAt) ?? []).ConfigureAwait(false);
            await context.Publish(new ReserveForPickup
            {
                OrderId = orderId,
                StoreId = store,
                Lines = lines,
                ChannelId = Settings.ChannelId,
                CustomerReference = order.Customer?.Id is { Length: > 0 } customer ? $"{Settings.System}-customer:{customer}" : null,
                RequestedAt = placedAt,
            }).ConfigureAwait(false);
            LogOrder(logger, orderId, "ReserveForPickup", lines.Count, hold?.Applied.Count ?? 0);
            return;
        }

        var (takenOver, leftOver) = hold?.HandOver(lines, webhook.ReceivedAt) ?? ([], []);
        await PublishAllAsync(context, leftOver).ConfigureAwait(false);
        await context.Publish(new FulfillOrder
        {
            OrderId = orderId,
            Lines = lines,
            ChannelId = Settings.ChannelId,
            PlacedAt = placedAt,
            Reservations = takenOver.Count > 0 ? takenOver : null,
        }).ConfigureAwait(false);
        LogOrder(logger, orderId, "FulfillOrder", lines.Count, takenOver.Count);
    }

    private async Task OrderCancelledAsync(ConsumeContext<ShopifyWebhookReceived> context)
    {
        var webhook = context.Message;
        var order = ShopifyJson.Read<ShopifyOrder>(webhook);
        var orderId = OrderIdOf(Settings.System, RequireId(webhook, order.Id, "id"));
        await context.Publish(new CancelOrder
        {
            OrderId = orderId,
            Reason = string.IsNullOrWhiteSpace(order.CancelReason) ? "cancelled in the storefront" : $"cancelled in the storefront ({order.CancelReason})",
            RequestedBy = Settings.System,
            RequestedAt = order.CancelledAt ?? webhook.TriggeredAt ?? webhook.ReceivedAt,
        }).ConfigureAwait(false);
        LogOrder(logger, orderId, "CancelOrder", 0, 0);
    }

    private async Task RefundCreatedAsync(ConsumeContext<ShopifyWebhookReceived> context)
    {
        var webhook = context.Message;
        var refund = ShopifyJson.Read<ShopifyRefund>(webhook);
        var refundId = RequireId(webhook, refund.Id, "id");
        var restocked = (refund.RefundLineItems ?? []).Where(l => l is not null && IsRestocked(l.RestockType) && l.Quantity > 0).ToList();
        if (restocked.Count == 0)
        {
            LogNoStockLines(logger, webhook.Topic, webhook.WebhookId, $"refund {refundId}");
            return;
        }

        var byLocation = new Dictionary<string, List<ShopifyLineItem>>(StringComparer.Ordinal);
        foreach (var line in restocked)
        {
            var location = line.LocationId is { Length: > 0 } shopifyLocation
                ? await ids.RequireLocationAsync(Settings.System, shopifyLocation, context.CancellationToken).ConfigureAwait(false)
                : DefaultLocation(webhook, "a restocked refund line without location_id");
            var item = (line.LineItem ?? new ShopifyLineItem()) with { Quantity = line.Quantity };
            if (!byLocation.TryGetValue(location, out var items))
            {
                byLocation[location] = items = [];
            }

            items.Add(item);
        }

        foreach (var (location, items) in byLocation.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var lines = await MapLinesAsync(webhook, items, context.CancellationToken).ConfigureAwait(false);
            if (lines.Count == 0)
            {
                continue;
            }

            var returnId = StableIds.Bounded(byLocation.Count == 1 ? $"{Settings.System}-refund:{refundId}" : $"{Settings.System}-refund:{refundId}:{location}");
            await context.Publish(new ReceiveReturn
            {
                ReturnId = returnId,
                LocationId = location,
                Lines = lines,
                OrderId = refund.OrderId is { Length: > 0 } order ? OrderIdOf(Settings.System, order) : null,
                Reason = string.IsNullOrWhiteSpace(refund.Note) ? null : Shorten(refund.Note),
                ReceivedAt = refund.CreatedAt ?? webhook.TriggeredAt ?? webhook.ReceivedAt,
            }).ConfigureAwait(false);
            LogReturn(logger, returnId, location, lines.Sum(l => l.Quantity));
        }
    }

    private async Task CheckoutCreatedAsync(ConsumeContext<ShopifyWebhookReceived> context)
    {
        var webhook = context.Message;
        var checkout = ShopifyJson.Read<ShopifyCheckout>(webhook);
        var token = RequireId(webhook, checkout.Token, "token");
        var lines = await MapLinesAsync(webhook, checkout.LineItems, context.CancellationToken).ConfigureAwait(false);
        var location = checkout.LocationId is { Length: > 0 } shopifyLocation
            ? await ids.RequireLocationAsync(Settings.System, shopifyLocation, context.CancellationToken).ConfigureAwait(false)
            : DefaultLocation(webhook, "a checkout without location_id");
        var reservations = await holds.HoldAsync(
            Settings.System,
            token,
            ReservationIdOf(Settings.System, token),
            location,
            lines,
            Settings.ChannelId,
            checkout.CreatedAt ?? webhook.TriggeredAt ?? webhook.ReceivedAt,
            context.CancellationToken).ConfigureAwait(false);
        await PublishAllAsync(context, reservations).ConfigureAwait(false);
        LogHold(logger, token, location, reservations.Count);
    }

    private async Task CheckoutDeletedAsync(ConsumeContext<ShopifyWebhookReceived> context)
    {
        var webhook = context.Message;
        var checkout = ShopifyJson.Read<ShopifyCheckout>(webhook);
        var token = RequireId(webhook, checkout.Token, "token");
        var releases = await holds.ReleaseAsync(Settings.System, token, webhook.TriggeredAt ?? webhook.ReceivedAt, context.CancellationToken).ConfigureAwait(false);
        await PublishAllAsync(context, releases).ConfigureAwait(false);
        LogRelease(logger, token, releases.Count);
    }

    /// <summary>
    /// Order or checkout lines in canonical SKUs and units, one line per SKU. A line with neither a variant id nor a SKU
    /// (a custom item, a tip, a gift card) is not stock and is left out; a variant nobody mapped faults the message.
    /// </summary>
    private async Task<List<OrderLine>> MapLinesAsync(ShopifyWebhookReceived webhook, IReadOnlyList<ShopifyLineItem>? items, CancellationToken ct)
    {
        var quantities = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            if (item is null || item.Quantity == 0 || (string.IsNullOrWhiteSpace(item.VariantId) && string.IsNullOrWhiteSpace(item.Sku)))
            {
                continue;
            }

            if (item.Quantity < 0)
            {
                throw new InvalidWebhookPayloadException(webhook, $"Line item {item.Id} has a negative quantity ({item.Quantity}).");
            }

            var mapped = (item.VariantId is { Length: > 0 } variant ? await ids.FindSkuAsync(Settings.System, variant, ct).ConfigureAwait(false) : null)
                ?? (item.Sku is { Length: > 0 } sku ? await ids.FindSkuAsync(Settings.System, sku, ct).ConfigureAwait(false) : null)
                ?? throw new UnmappedIdException(Settings.System, ExternalIdKind.Sku, item.VariantId is { Length: > 0 } ? item.VariantId : item.Sku!);
            quantities[mapped.Sku] = checked(quantities.GetValueOrDefault(mapped.Sku) + mapped.ToCanonical(item.Quantity));
        }

        return [.. quantities.Select(q => new OrderLine { Sku = q.Key, Quantity = q.Value })];
    }

    private string DefaultLocation(ShopifyWebhookReceived webhook, string what) =>
        Settings.DefaultLocationId is { Length: > 0 } location
            ? location
            : throw new InvalidWebhookPayloadException(webhook, $"StockSync cannot tell where {what} is: set {EcommerceOptions.Section}:{nameof(EcommerceOptions.DefaultLocationId)}, then replay the message from the error queue.");

    private static bool IsRestocked(string? restockType) => restockType is "return" or "legacy_restock";

    private static string RequireId(ShopifyWebhookReceived webhook, string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidWebhookPayloadException(webhook, $"The payload has no '{field}'.")
        : value.Length > 64 ? throw new InvalidWebhookPayloadException(webhook, $"The payload's '{field}' is longer than 64 characters.")
        : value;

    private static async Task PublishAllAsync<T>(ConsumeContext context, IEnumerable<T> messages)
        where T : class
    {
        foreach (var message in messages)
        {
            await context.Publish(message, message.GetType(), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static string Shorten(string text) => text.Length > 500 ? string.Concat(text.AsSpan(0, 499), "…") : text;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic} webhook {WebhookId} ({Subject}) has no stock lines: nothing to do")]
    private static partial void LogNoStockLines(ILogger logger, string topic, string webhookId, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storefront order {OrderId}: {Command} with {Lines} lines ({HeldLines} held lines taken over or released)")]
    private static partial void LogOrder(ILogger logger, string orderId, string command, int lines, int heldLines);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storefront return {ReturnId} at {LocationId}: {Units} units to inspect")]
    private static partial void LogReturn(ILogger logger, string returnId, string locationId, int units);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {CheckoutToken} holds {Lines} lines at {LocationId}")]
    private static partial void LogHold(ILogger logger, string checkoutToken, string locationId, int lines);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkout {CheckoutToken} deleted: {Lines} held lines released")]
    private static partial void LogRelease(ILogger logger, string checkoutToken, int lines);
}

/// <summary>The storefront webhook endpoint (<c>shopify-webhooks</c>), behind StockSync's inbox and outbox.</summary>
public sealed class ShopifyWebhookConsumerDefinition : ConsumerDefinition<ShopifyWebhookConsumer>
{
    public const string QueueName = "shopify-webhooks";

    public ShopifyWebhookConsumerDefinition()
    {
        EndpointName = QueueName;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ShopifyWebhookConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(context);
        // Retries sit outside the inbox/outbox, so each attempt is a fresh transaction. A missing mapping or a payload
        // StockSync cannot act on is not retried: it faults to shopify-webhooks_error with the reason and the raw body.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<UnmappedIdException>();
            r.Ignore<InvalidWebhookPayloadException>();
            r.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        });
        endpointConfigurator.UseStockSyncEntityFrameworkOutbox(context);
    }
}
