using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Marketplace;

/// <summary>The outcome of one call to a marketplace.</summary>
/// <param name="Succeeded">The marketplace took it.</param>
/// <param name="Error">What went wrong, for operators.</param>
/// <param name="Retryable">Whether another attempt may succeed.</param>
/// <param name="RetryAfter">The marketplace's Retry-After, if it sent one.</param>
public sealed record MarketplaceCallResult(bool Succeeded, string? Error, bool Retryable, TimeSpan? RetryAfter)
{
    public static MarketplaceCallResult Success { get; } = new(true, null, false, null);
}

/// <summary>
/// Calls a marketplace's API. The wire format is StockSync's marketplace gateway format (JSON, lines with decisions and
/// reason codes), which the simulator speaks; a marketplace-specific mapping (Walmart's order-line statuses, Amazon's
/// PO acknowledgment) plugs in behind the same interface.
/// </summary>
public interface IMarketplaceClient
{
    /// <summary>Sends an order's acknowledgment.</summary>
    Task<MarketplaceCallResult> AcknowledgeAsync(AcknowledgeMarketplaceOrder acknowledgement, CancellationToken ct);
}

/// <summary>The HTTP client of <see cref="IMarketplaceClient"/>: one POST per attempt, classified into success, retryable or refused.</summary>
public sealed class HttpMarketplaceClient(IHttpClientFactory clients, IOptionsMonitor<MarketplaceEndpointOptions> options) : IMarketplaceClient
{
    /// <summary>The name of the HttpClient (configure handlers, TLS or proxies on it).</summary>
    public const string HttpClientName = "marketplaces";

    /// <inheritdoc />
    public async Task<MarketplaceCallResult> AcknowledgeAsync(AcknowledgeMarketplaceOrder acknowledgement, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        if (!options.CurrentValue.Endpoints.TryGetValue(acknowledgement.Marketplace, out var endpoint))
        {
            return new(false, $"No endpoint is configured for marketplace '{acknowledgement.Marketplace}' ({MarketplaceEndpointOptions.Section}:{nameof(MarketplaceEndpointOptions.Endpoints)}:{acknowledgement.Marketplace}:{nameof(MarketplaceEndpoint.BaseUrl)}).", false, null);
        }

        var url = new Uri($"{endpoint.BaseUrl.TrimEnd('/')}/orders/{Uri.EscapeDataString(acknowledgement.MarketplaceOrderId)}/acknowledgement");
        var body = new
        {
            acknowledgement.OrderId,
            acknowledgement.Attempt,
            Lines = acknowledgement.Lines.Select(l => new { l.LineNumber, l.Sku, l.Quantity, Status = l.Decision.ToString(), l.ReasonCode }),
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(endpoint.Timeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).PostAsJsonAsync(url, body, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return MarketplaceCallResult.Success;
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var retryable = response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500;
            return new(false, $"HTTP {status} from {url.Host}: {Shorten(text)}", retryable, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(false, $"No answer from {url.Host} within {endpoint.Timeout.TotalSeconds:0.#} s.", true, null);
        }
        catch (HttpRequestException ex)
        {
            return new(false, $"{url.Host} could not be reached: {ex.Message}", true, null);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private static string Shorten(string text) => text.Length > 300 ? string.Concat(text.AsSpan(0, 299), "…") : text;
}
