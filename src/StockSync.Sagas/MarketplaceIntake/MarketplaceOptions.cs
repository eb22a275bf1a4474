using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>
/// The <c>Marketplaces</c> configuration section: per marketplace, the acknowledgment window, when to warn, and the
/// reason codes a rejection sends; and how failed acknowledgment calls are retried. Walmart (4 hours, reason
/// <c>SELLER_CANCEL_OUT_OF_STOCK</c>) and Amazon Vendor (24 hours, reasons <c>TemporarilyUnavailable</c> and
/// <c>InvalidProductIdentifier</c>) are built in; configuration overrides them or adds marketplaces.
/// </summary>
public sealed partial class MarketplaceOptions : IValidatableObject
{
    public const string Section = "Marketplaces";

    /// <summary>The policy per marketplace name (lower-case letters, digits and dashes).</summary>
    public Dictionary<string, MarketplacePolicy> Policies { get; set; } = new(StringComparer.Ordinal)
    {
        ["walmart"] = new()
        {
            AcknowledgeWithin = TimeSpan.FromHours(4),
            ReasonCodes = new(StringComparer.Ordinal)
            {
                [MarketplaceRejections.OutOfStock] = "SELLER_CANCEL_OUT_OF_STOCK",
                [MarketplaceRejections.UnknownProduct] = "SELLER_CANCEL_OUT_OF_STOCK",
            },
        },
        ["amazon-vendor"] = new()
        {
            AcknowledgeWithin = TimeSpan.FromHours(24),
            ReasonCodes = new(StringComparer.Ordinal)
            {
                [MarketplaceRejections.OutOfStock] = "TemporarilyUnavailable",
                [MarketplaceRejections.UnknownProduct] = "InvalidProductIdentifier",
            },
        },
    };

    /// <summary>The retry intervals when none are configured: 5 s, 15 s, 30 s, 1 min, 2 min, then every 5 min.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetryIntervals { get; } =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)];

    /// <summary>
    /// The waits between failed acknowledgment attempts: the n-th failure waits the n-th interval (the last one repeats),
    /// or the marketplace's Retry-After if longer. Attempts stop at the deadline. Empty: <see cref="DefaultRetryIntervals"/>.
    /// (The default is not the property's initial value: the configuration binder appends to an array, it does not replace it.)
    /// </summary>
    public TimeSpan[] AcknowledgementRetryIntervals { get; set; } = [];

    /// <summary>The intervals in force.</summary>
    public IReadOnlyList<TimeSpan> RetryIntervals => AcknowledgementRetryIntervals.Length > 0 ? AcknowledgementRetryIntervals : DefaultRetryIntervals;

    /// <summary>Whether <paramref name="name"/> is a valid marketplace name.</summary>
    public static bool IsValidName(string? name) => name is { Length: >= 1 and <= 32 } && NamePattern().IsMatch(name);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        var interval = RetryIntervals[Math.Clamp(attempt - 1, 0, RetryIntervals.Count - 1)];
        return retryAfter is { } after && after > interval ? after : interval;
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AcknowledgementRetryIntervals.Any(i => i <= TimeSpan.Zero || i > TimeSpan.FromHours(1)))
        {
            yield return new ValidationResult($"{Section}:{nameof(AcknowledgementRetryIntervals)}: each interval must be above 0 and at most 1 hour.", [nameof(AcknowledgementRetryIntervals)]);
        }

        foreach (var (name, policy) in Policies)
        {
            if (!IsValidName(name))
            {
                yield return new ValidationResult($"{Section}:{nameof(Policies)}: '{name}' is not a valid marketplace name (lower-case letters, digits and dashes, at most 32).", [nameof(Policies)]);
            }

            if (policy.AcknowledgeWithin < TimeSpan.FromMinutes(1) || policy.AcknowledgeWithin > TimeSpan.FromDays(7))
            {
                yield return new ValidationResult($"{Section}:{nameof(Policies)}:{name}:{nameof(MarketplacePolicy.AcknowledgeWithin)} must be between 1 minute and 7 days.", [nameof(Policies)]);
            }

            if (policy.WarnAt is <= 0 or >= 1)
            {
                yield return new ValidationResult($"{Section}:{nameof(Policies)}:{name}:{nameof(MarketplacePolicy.WarnAt)} must be a share of the window above 0 and below 1 (for example 0.75).", [nameof(Policies)]);
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>One marketplace's rules.</summary>
public sealed class MarketplacePolicy
{
    /// <summary>How long after the order was placed the marketplace wants it acknowledged.</summary>
    public TimeSpan AcknowledgeWithin { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The share of the window after which an unacknowledged order raises a warning (0.75: at three quarters).</summary>
    public double WarnAt { get; set; } = 0.75;

    /// <summary>
    /// The marketplace's code per StockSync rejection reason (<see cref="MarketplaceRejections"/>). A reason with no
    /// code is sent as StockSync's own name for it.
    /// </summary>
    public Dictionary<string, string> ReasonCodes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The sales channel the reservations are held for (default: the marketplace's name).</summary>
    public string? ChannelId { get; set; }

    /// <summary>The marketplace's code for <paramref name="reason"/>.</summary>
    public string CodeFor(string reason) => ReasonCodes.TryGetValue(reason, out var code) && !string.IsNullOrWhiteSpace(code) ? code : reason;
}

/// <summary>Why StockSync rejects a marketplace order line (mapped to each marketplace's code by its policy).</summary>
public static class MarketplaceRejections
{
    /// <summary>No location that ships has the units available.</summary>
    public const string OutOfStock = "OutOfStock";

    /// <summary>The SKU is not in StockSync's item master.</summary>
    public const string UnknownProduct = "UnknownProduct";
}

/// <summary>A marketplace order names a marketplace StockSync has no policy for.</summary>
public sealed class UnknownMarketplaceException : Exception
{
    public UnknownMarketplaceException()
    {
    }

    public UnknownMarketplaceException(string message)
        : base(message)
    {
    }

    public UnknownMarketplaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The marketplace the message named.</summary>
    public string? Marketplace { get; init; }

    /// <summary>The exception for <paramref name="marketplace"/>, with what to do about it.</summary>
    public static UnknownMarketplaceException For(string? marketplace) => new(
        $"No policy for marketplace '{marketplace}': add {MarketplaceOptions.Section}:{nameof(MarketplaceOptions.Policies)}:{marketplace} (its acknowledgment window and reason codes), then replay the message from the error queue.")
    {
        Marketplace = marketplace,
    };
}
