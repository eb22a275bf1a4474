using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Marketplace;

/// <summary>
/// Maps a downloaded marketplace order to StockSync's ids (the marketplace's SKUs through the mapping tables, system =
/// the marketplace's name, quantities converted by the unit of measure) and publishes <see cref="MarketplaceOrderReceived"/>.
/// An unmapped SKU or a malformed order faults with the reason; the raw order waits in the error queue for a replay.
/// </summary>
public sealed class MarketplaceOrderDownloadedConsumer(ExternalIds ids) : IConsumer<MarketplaceOrderDownloaded>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<MarketplaceOrderDownloaded> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        var order = JsonNode.Parse(m.RawJson) as JsonObject ?? throw new MalformedMarketplaceOrderException(m.Marketplace, m.MarketplaceOrderId, "the order is not a JSON object");
        var lines = new List<MarketplaceOrderLine>();
        foreach (var line in order["lines"]?.AsArray().OfType<JsonObject>() ?? throw new MalformedMarketplaceOrderException(m.Marketplace, m.MarketplaceOrderId, "it has no lines"))
        {
            var lineNumber = Text(line, "lineNumber") ?? throw new MalformedMarketplaceOrderException(m.Marketplace, m.MarketplaceOrderId, "a line has no lineNumber");
            var sku = Text(line, "sku") ?? throw new MalformedMarketplaceOrderException(m.Marketplace, m.MarketplaceOrderId, $"line {lineNumber} has no sku");
            var quantity = line["quantity"]?.GetValue<int>() ?? throw new MalformedMarketplaceOrderException(m.Marketplace, m.MarketplaceOrderId, $"line {lineNumber} has no quantity");
            var mapped = await ids.RequireSkuAsync(m.Marketplace, sku, context.CancellationToken).ConfigureAwait(false);
            lines.Add(new MarketplaceOrderLine { LineNumber = lineNumber, Sku = mapped.Sku, Quantity = mapped.ToCanonical(quantity) });
        }

        await context.Publish(new MarketplaceOrderReceived
        {
            Marketplace = m.Marketplace,
            MarketplaceOrderId = m.MarketplaceOrderId,
            Lines = lines,
            OrderedAt = order["orderedAt"]?.GetValue<DateTimeOffset>() ?? m.DownloadedAt,
            AcknowledgeBy = order["acknowledgeBy"]?.GetValue<DateTimeOffset?>(),
        }).ConfigureAwait(false);
    }

    private static string? Text(JsonObject node, string name) => node[name]?.GetValue<string>() is { Length: > 0 } value ? value : null;
}

/// <summary>
/// Confirms each shipment of a marketplace order to its marketplace (<c>POST {BaseUrl}/orders/{id}/shipments</c>), with
/// the marketplace's SKUs (the mapping tables, read back) and units. A failed call is retried, then faults with the reason.
/// </summary>
public sealed class MarketplaceShipmentConsumer(ExternalIds ids, IHttpClientFactory clients, IOptionsMonitor<MarketplaceEndpointOptions> options)
    : IConsumer<OrderShipped>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<OrderShipped> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        var separator = m.OrderId.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0 || !options.CurrentValue.Endpoints.TryGetValue(m.OrderId[..separator], out var endpoint))
        {
            return; // not a marketplace order (or a marketplace without an API endpoint): nothing to confirm
        }

        var marketplace = m.OrderId[..separator];
        var marketplaceOrderId = m.OrderId[(separator + 1)..];
        var lines = new List<object>();
        foreach (var line in m.Lines)
        {
            var external = (await ids.ExternalIdsOfAsync(marketplace, ExternalIdKind.Sku, line.Sku, context.CancellationToken).ConfigureAwait(false))
                .FirstOrDefault(e => line.Quantity % e.UnitsPerExternal == 0)
                ?? throw new UnmappedIdException(marketplace, ExternalIdKind.Sku, line.Sku);
            lines.Add(new { sku = external.ExternalId, quantity = line.Quantity / external.UnitsPerExternal });
        }

        var url = new Uri($"{endpoint.BaseUrl.TrimEnd('/')}/orders/{Uri.EscapeDataString(marketplaceOrderId)}/shipments");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(endpoint.Timeout);
        using var response = await clients.CreateClient(HttpMarketplaceClient.HttpClientName)
            .PostAsJsonAsync(url, new { m.ShipmentId, lines, m.TrackingNumber, m.ShippedAt }, timeout.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{marketplace} answered {(int)response.StatusCode} to the shipment confirmation of {marketplaceOrderId}: {await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false)}");
        }
    }
}

/// <summary>A downloaded marketplace order that cannot be read; it faults (not retried) with the reason.</summary>
public sealed class MalformedMarketplaceOrderException : Exception
{
    public MalformedMarketplaceOrderException()
    {
    }

    public MalformedMarketplaceOrderException(string message)
        : base(message)
    {
    }

    public MalformedMarketplaceOrderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MalformedMarketplaceOrderException(string marketplace, string marketplaceOrderId, string problem)
        : base($"{marketplace} order '{marketplaceOrderId}' cannot be taken in: {problem}. Fix the mapping or the order, then replay it from the error queue.")
    {
    }
}

/// <summary>The <c>marketplace-orders</c> endpoint (downloaded orders in): inbox and outbox; unmapped or malformed orders are not retried.</summary>
public sealed class MarketplaceOrderDownloadedConsumerDefinition : ConsumerDefinition<MarketplaceOrderDownloadedConsumer>
{
    public MarketplaceOrderDownloadedConsumerDefinition()
    {
        EndpointName = "marketplace-orders";
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<MarketplaceOrderDownloadedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<UnmappedIdException>();
            r.Ignore<MalformedMarketplaceOrderException>();
            r.Ignore<System.Text.Json.JsonException>();
            r.Ignore<InvalidOperationException>();
            r.Intervals(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        });
        endpointConfigurator.UseStockSyncEntityFrameworkOutbox(context);
    }
}

/// <summary>The <c>marketplace-shipments</c> endpoint (shipment confirmations out): retried with backoff, no outbox (it publishes nothing).</summary>
public sealed class MarketplaceShipmentConsumerDefinition : ConsumerDefinition<MarketplaceShipmentConsumer>
{
    public MarketplaceShipmentConsumerDefinition()
    {
        EndpointName = "marketplace-shipments";
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<MarketplaceShipmentConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<UnmappedIdException>();
            r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        });
    }
}
