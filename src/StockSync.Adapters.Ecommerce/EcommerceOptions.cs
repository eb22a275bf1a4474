using System.ComponentModel.DataAnnotations;

namespace StockSync.Adapters.Ecommerce;

/// <summary>
/// The <c>Ecommerce</c> section: the Shopify-shaped storefront adapter. Off unless <see cref="Enabled"/>; when on, the
/// webhook secret must be set (the host refuses to start without it, naming the key).
/// </summary>
public sealed class EcommerceOptions : IValidatableObject
{
    public const string Section = "Ecommerce";

    /// <summary>Maps the webhook endpoint and runs the availability pusher.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The shared secret the storefront signs webhooks with (Shopify: the app's client secret). Required when enabled.
    /// Keep it out of source control: an environment variable (<c>Ecommerce__WebhookSecret</c>) or a secret store.
    /// </summary>
    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>
    /// The external system's name: the ExternalIds system its variant and location ids are mapped in, and the ledger
    /// source system of its movements.
    /// </summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,63}$", ErrorMessage = "Ecommerce:System must be lower-case letters, digits and dashes (at most 64).")]
    public string System { get; set; } = "shopify";

    /// <summary>The sales channel the storefront sells (its orders carry it; its availability is this channel's exposed quantity).</summary>
    [Required]
    public string ChannelId { get; set; } = "web";

    /// <summary>
    /// The canonical location for a checkout hold or a restocked refund line that names no storefront location (online
    /// checkouts usually do not). Without it such a webhook faults with the reason.
    /// </summary>
    public string? DefaultLocationId { get; set; }

    /// <summary>The largest webhook body accepted, in bytes.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxWebhookBytes { get; set; } = 1024 * 1024;

    /// <summary>How long webhook receipts (and ended checkout holds) are kept; a re-delivery within it is recognised.</summary>
    public TimeSpan ReceiptRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Where the storefront's inventory API is.</summary>
    public StorefrontEndpoint Storefront { get; set; } = new();

    /// <summary>How availability is pushed.</summary>
    public AvailabilityPushOptions Push { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(WebhookSecret))
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(WebhookSecret)} must be set when {Section}:{nameof(Enabled)} is true (the storefront's webhook signing secret; e.g. the environment variable {Section}__{nameof(WebhookSecret)}).",
                [nameof(WebhookSecret)]);
        }

        if (ReceiptRetention < TimeSpan.FromDays(2))
        {
            yield return new ValidationResult($"{Section}:{nameof(ReceiptRetention)} must be at least 2 days (Shopify re-delivers for up to 48 hours).", [nameof(ReceiptRetention)]);
        }

        if (!Uri.TryCreate(Storefront.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult($"{Section}:{nameof(Storefront)}:{nameof(StorefrontEndpoint.BaseUrl)} must be an absolute http(s) URL.", [nameof(Storefront)]);
        }

        if (string.IsNullOrWhiteSpace(Storefront.ApiVersion) || Storefront.ApiVersion.Contains('/', StringComparison.Ordinal))
        {
            yield return new ValidationResult($"{Section}:{nameof(Storefront)}:{nameof(StorefrontEndpoint.ApiVersion)} must be an API version such as 2024-07.", [nameof(Storefront)]);
        }

        if (Storefront.Timeout <= TimeSpan.Zero || Storefront.Timeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult($"{Section}:{nameof(Storefront)}:{nameof(StorefrontEndpoint.Timeout)} must be above 0 and at most 5 minutes.", [nameof(Storefront)]);
        }

        foreach (var problem in Push.Validate($"{Section}:{nameof(Push)}"))
        {
            yield return new ValidationResult(problem, [nameof(Push)]);
        }
    }
}

/// <summary>The storefront's Admin API.</summary>
public sealed class StorefrontEndpoint
{
    /// <summary>
    /// The shop's base URL (Shopify: <c>https://{shop}.myshopify.com</c>); availability goes to
    /// <c>{BaseUrl}/admin/api/{ApiVersion}/inventory_levels/set.json</c>.
    /// </summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5090/storefront";

    /// <summary>The Admin API version in the path.</summary>
    public string ApiVersion { get; set; } = "2024-07";

    /// <summary>The Admin API access token (<c>X-Shopify-Access-Token</c>), if the storefront wants one.</summary>
    public string? AccessToken { get; set; }

    /// <summary>How long one call may take before it counts as failed (and is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The ExternalIds system whose SKU mappings are the storefront's inventory item ids. Empty: the same system as the
    /// inbound variant ids (the Shopify-shaped simulator uses one id for both; real Shopify has separate inventory
    /// item ids, which go in a system of their own such as <c>shopify-inventory-item</c>).
    /// </summary>
    public string? InventoryItemSystem { get; set; }
}

/// <summary>The availability pusher: rate limit, retries and resynchronisation.</summary>
public sealed class AvailabilityPushOptions
{
    /// <summary>The leaky bucket's rate: requests per second, sustained (Shopify REST: 2 per second per store).</summary>
    public double RequestsPerSecond { get; set; } = 2;

    /// <summary>The leaky bucket's size: requests that may go at once after a quiet spell.</summary>
    public int Burst { get; set; } = 1;

    /// <summary>The first wait after a failed call; it doubles with each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The pause after a 429 that carries no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts at a value the storefront refuses (a 4xx other than 408/429) before it is given up until the next change or resync.</summary>
    public int MaxAttemptsWhenRefused { get; set; } = 5;

    /// <summary>Resynchronise the whole channel from positions when the host starts.</summary>
    public bool ResyncOnStart { get; set; } = true;

    /// <summary>How often every position is offered again (only values newer than what was pushed go out); 0: never.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Positions read per page during a resync.</summary>
    public int ResyncPageSize { get; set; } = 500;

    internal IEnumerable<string> Validate(string prefix)
    {
        if (!(RequestsPerSecond > 0 && RequestsPerSecond <= 1000))
        {
            yield return $"{prefix}:{nameof(RequestsPerSecond)} must be above 0 and at most 1000.";
        }

        if (Burst is < 1 or > 1000)
        {
            yield return $"{prefix}:{nameof(Burst)} must be between 1 and 1000.";
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay || MaxRetryDelay > TimeSpan.FromHours(1))
        {
            yield return $"{prefix}:{nameof(RetryDelay)} must be above 0, and {nameof(MaxRetryDelay)} at least that and at most 1 hour.";
        }

        if (DefaultRetryAfter <= TimeSpan.Zero || DefaultRetryAfter > TimeSpan.FromHours(1))
        {
            yield return $"{prefix}:{nameof(DefaultRetryAfter)} must be above 0 and at most 1 hour.";
        }

        if (MaxAttemptsWhenRefused is < 1 or > 100)
        {
            yield return $"{prefix}:{nameof(MaxAttemptsWhenRefused)} must be between 1 and 100.";
        }

        if (ResyncInterval < TimeSpan.Zero)
        {
            yield return $"{prefix}:{nameof(ResyncInterval)} cannot be negative.";
        }

        if (ResyncPageSize is < 1 or > 10_000)
        {
            yield return $"{prefix}:{nameof(ResyncPageSize)} must be between 1 and 10000.";
        }
    }
}
