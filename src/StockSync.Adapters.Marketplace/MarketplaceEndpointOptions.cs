using System.ComponentModel.DataAnnotations;

namespace StockSync.Adapters.Marketplace;

/// <summary>
/// Where each marketplace's API is: <c>Marketplaces:Endpoints:{name}:BaseUrl</c> (and a timeout). The marketplace's
/// rules (acknowledgment window, reason codes) are its policy in <c>Marketplaces:Policies</c>, read by the intake saga.
/// </summary>
public sealed class MarketplaceEndpointOptions : IValidatableObject
{
    public const string Section = "Marketplaces";

    /// <summary>The API endpoint per marketplace name.</summary>
    public Dictionary<string, MarketplaceEndpoint> Endpoints { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many acknowledgment calls run at once (a slow marketplace must not hold up the others for long).</summary>
    [Range(1, 256)]
    public int ConcurrentCalls { get; set; } = 16;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, endpoint) in Endpoints)
        {
            if (!Uri.TryCreate(endpoint.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"{Section}:{nameof(Endpoints)}:{name}:{nameof(MarketplaceEndpoint.BaseUrl)} must be an absolute http(s) URL.", [nameof(Endpoints)]);
            }

            if (endpoint.PollInterval is { } poll && (poll < TimeSpan.FromMilliseconds(100) || poll > TimeSpan.FromHours(1)))
            {
                yield return new ValidationResult($"{Section}:{nameof(Endpoints)}:{name}:{nameof(MarketplaceEndpoint.PollInterval)} must be between 100 ms and 1 hour.", [nameof(Endpoints)]);
            }

            if (endpoint.Timeout <= TimeSpan.Zero || endpoint.Timeout > TimeSpan.FromMinutes(5))
            {
                yield return new ValidationResult($"{Section}:{nameof(Endpoints)}:{name}:{nameof(MarketplaceEndpoint.Timeout)} must be above 0 and at most 5 minutes.", [nameof(Endpoints)]);
            }
        }
    }
}

/// <summary>One marketplace's API.</summary>
public sealed class MarketplaceEndpoint
{
    /// <summary>The API's base URL; acknowledgments go to <c>{BaseUrl}/orders/{marketplaceOrderId}/acknowledgement</c>.</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>How long one call may take before it counts as failed (and is retried by the intake).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the marketplace is polled for new orders (<c>GET {BaseUrl}/orders?status=Created</c>); empty: never
    /// (orders come in through <c>POST /marketplace-orders</c> instead).
    /// </summary>
    public TimeSpan? PollInterval { get; set; }
}
