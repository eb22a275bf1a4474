using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>How a call to the storefront ended.</summary>
public enum StorefrontOutcome
{
    /// <summary>The storefront took the value.</summary>
    Ok,

    /// <summary>429: too many requests; wait for Retry-After.</summary>
    Throttled,

    /// <summary>The storefront is down, slow or failing (5xx, 408, timeout, connection refused): retry later.</summary>
    Unavailable,

    /// <summary>The storefront refused this value (another 4xx): retrying the same call is unlikely to help.</summary>
    Refused,
}

/// <summary>The result of one inventory call.</summary>
public sealed record StorefrontResult(StorefrontOutcome Outcome, TimeSpan? RetryAfter = null, string? Error = null)
{
    public static StorefrontResult Ok { get; } = new(StorefrontOutcome.Ok);
}

/// <summary>The storefront's inventory API: sets the available quantity of one inventory item at one location.</summary>
public interface IStorefrontClient
{
    /// <summary>Shopify's <c>POST /admin/api/{version}/inventory_levels/set.json</c>.</summary>
    Task<StorefrontResult> SetAvailableAsync(long inventoryItemId, long locationId, int available, CancellationToken ct);
}

/// <summary>The HTTP client of <see cref="IStorefrontClient"/>.</summary>
public sealed class HttpStorefrontClient(IHttpClientFactory clients, IOptionsMonitor<EcommerceOptions> options, TimeProvider time) : IStorefrontClient
{
    /// <summary>The name of the HttpClient (configure handlers, TLS or proxies on it).</summary>
    public const string HttpClientName = "storefront";

    /// <inheritdoc />
    public async Task<StorefrontResult> SetAvailableAsync(long inventoryItemId, long locationId, int available, CancellationToken ct)
    {
        var endpoint = options.CurrentValue.Storefront;
        var url = new Uri($"{endpoint.BaseUrl.TrimEnd('/')}/admin/api/{endpoint.ApiVersion}/inventory_levels/set.json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new { location_id = locationId, inventory_item_id = inventoryItemId, available }),
        };
        if (endpoint.AccessToken is { Length: > 0 } token)
        {
            request.Headers.Add("X-Shopify-Access-Token", token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(endpoint.Timeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return StorefrontResult.Ok;
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            var error = $"HTTP {(int)response.StatusCode} from {url.Host}: {(text.Length > 300 ? string.Concat(text.AsSpan(0, 299), "…") : text)}";
            return response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => new(StorefrontOutcome.Throttled, RetryAfter(response, time.GetUtcNow()), error),
                HttpStatusCode.RequestTimeout => new(StorefrontOutcome.Unavailable, RetryAfter(response, time.GetUtcNow()), error),
                >= HttpStatusCode.InternalServerError => new(StorefrontOutcome.Unavailable, RetryAfter(response, time.GetUtcNow()), error),
                _ => new(StorefrontOutcome.Refused, null, error),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(StorefrontOutcome.Unavailable, null, $"No answer from {url.Host} within {endpoint.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            return new(StorefrontOutcome.Unavailable, null, $"{url.Host} could not be reached: {ex.Message}");
        }
    }

    /// <summary>
    /// The Retry-After header: delta seconds (Shopify sends a decimal such as <c>2.0</c>, which the typed header does not
    /// parse) or an HTTP date.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Headers.TryGetValues("Retry-After", out var values) || values.FirstOrDefault() is not { Length: > 0 } value)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 86_400)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? (date > now ? date - now : TimeSpan.Zero)
            : null;
    }
}
