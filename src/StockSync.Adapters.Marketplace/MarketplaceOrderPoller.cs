using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence;

namespace StockSync.Adapters.Marketplace;

/// <summary>
/// A marketplace order as downloaded, before its ids are mapped: the raw JSON is kept, so an order with an unmapped SKU
/// faults with its payload intact and is replayed from the error queue once the mapping exists.
/// </summary>
public sealed record MarketplaceOrderDownloaded
{
    public required string Marketplace { get; init; }

    public required string MarketplaceOrderId { get; init; }

    /// <summary>The order exactly as the marketplace's API returned it.</summary>
    public required string RawJson { get; init; }

    public required DateTimeOffset DownloadedAt { get; init; }
}

/// <summary>
/// Polls each marketplace that has a <c>PollInterval</c> for orders not yet acknowledged, and hands each one to the bus
/// (through the outbox) as <see cref="MarketplaceOrderDownloaded"/>. An order stays in the marketplace's list until it
/// is acknowledged, so it is downloaded again on every poll: the message id is derived from the marketplace and order
/// id, and the consumer's inbox takes each order once. An order that faulted (an unmapped SKU) leaves no inbox row,
/// so the poller itself also hands each order on once per <see cref="RedownloadAfter"/>: the error queue holds it once,
/// not once per poll. A failed poll is logged and tried again at the next interval.
/// </summary>
public sealed partial class MarketplaceOrderPoller(
    IServiceScopeFactory scopes, IHttpClientFactory clients, IOptionsMonitor<MarketplaceEndpointOptions> options, TimeProvider time, ILogger<MarketplaceOrderPoller> logger)
    : BackgroundService
{
    /// <summary>How long an order handed on is not handed on again by this replica (it is still listed until acknowledged).</summary>
    public static readonly TimeSpan RedownloadAfter = TimeSpan.FromMinutes(30);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Marketplace, string Id), DateTimeOffset> _handedOn = new();

    /// <summary>Polls one marketplace once; returns how many orders were handed on.</summary>
    public async Task<int> PollOnceAsync(string marketplace, MarketplaceEndpoint endpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var url = new Uri($"{endpoint.BaseUrl.TrimEnd('/')}/orders?status=Created");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(endpoint.Timeout);
        var orders = await clients.CreateClient(HttpMarketplaceClient.HttpClientName).GetFromJsonAsync<JsonArray>(url, timeout.Token).ConfigureAwait(false) ?? [];
        if (orders.Count == 0)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var now = time.GetUtcNow();
        foreach (var stale in _handedOn.Where(h => now - h.Value > RedownloadAfter).Select(h => h.Key).ToList())
        {
            _handedOn.TryRemove(stale, out _);
        }

        var handed = new List<(string, string)>();
        foreach (var order in orders.OfType<JsonObject>())
        {
            var id = order["marketplaceOrderId"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(id))
            {
                LogNoId(logger, marketplace, order.ToJsonString());
                continue;
            }

            if (_handedOn.ContainsKey((marketplace, id)))
            {
                continue;
            }

            handed.Add((marketplace, id));

            var messageId = MessageIdFor(marketplace, id);
            await publisher.Publish(
                new MarketplaceOrderDownloaded { Marketplace = marketplace, MarketplaceOrderId = id, RawJson = order.ToJsonString(), DownloadedAt = now },
                Pipe.Execute<PublishContext>(c => c.MessageId = messageId),
                ct).ConfigureAwait(false);
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        foreach (var key in handed)
        {
            _handedOn[key] = now;
        }

        return handed.Count;
    }

    /// <summary>The message id of a downloaded order: the same for every download of it.</summary>
    public static Guid MessageIdFor(string marketplace, string marketplaceOrderId) =>
        NameBasedIds.Create($"stocksync:marketplace-download:{marketplace}:{marketplaceOrderId}");

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var next = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            var polled = options.CurrentValue.Endpoints.Where(e => e.Value.PollInterval is not null).ToList();
            foreach (var (marketplace, endpoint) in polled)
            {
                if (next.TryGetValue(marketplace, out var due) && due > time.GetUtcNow())
                {
                    continue;
                }

                next[marketplace] = time.GetUtcNow() + endpoint.PollInterval!.Value;
                try
                {
                    await PollOnceAsync(marketplace, endpoint, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A poll that fails (marketplace down, bad answer, database busy) must not stop the host: the next one retries.
                    LogPollFailed(logger, marketplace, ex.Message);
                }
            }

            var wait = polled.Count == 0 ? TimeSpan.FromSeconds(5) : polled.Min(p => p.Value.PollInterval!.Value);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : wait, time, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling {Marketplace} for orders failed; trying again at the next interval: {Error}")]
    private static partial void LogPollFailed(ILogger logger, string marketplace, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Marketplace} returned an order without a marketplaceOrderId; it cannot be taken in: {Order}")]
    private static partial void LogNoId(ILogger logger, string marketplace, string order);
}
