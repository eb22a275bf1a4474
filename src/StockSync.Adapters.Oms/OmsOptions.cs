using System.ComponentModel.DataAnnotations;

namespace StockSync.Adapters.Oms;

/// <summary>
/// The <c>Oms</c> section: where the order management system's API is. The OMS is the retailer's own system, fed from the
/// same item and location master as StockSync, so it speaks canonical SKU and location ids (no mapping tables).
/// </summary>
public sealed class OmsOptions : IValidatableObject
{
    public const string Section = "Oms";

    /// <summary>
    /// Whether fulfillment requests and cancellations are sent to the OMS. Off by default: until an OMS is configured,
    /// stores and OMSs confirm through the HTTP API and the adapter sends nothing.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>The OMS API's base URL; requests go to <c>{BaseUrl}/fulfillments</c>.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5090/oms";

    /// <summary>How long one call may take before it counts as failed (and is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The waits between failed calls before the request faults to <c>oms-fulfillments_error</c> (replayable). Empty: 1 s,
    /// 5 s, 15 s, 1 min, 5 min (the binder appends to an array's initial items, so the default is not one).
    /// </summary>
    public TimeSpan[] RetryIntervals { get; set; } = [];

    /// <summary>The intervals in force.</summary>
    public TimeSpan[] Retries => RetryIntervals.Length > 0
        ? RetryIntervals
        : [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult($"{Section}:{nameof(BaseUrl)} must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult($"{Section}:{nameof(Timeout)} must be above 0 and at most 5 minutes.", [nameof(Timeout)]);
        }

        if (RetryIntervals.Any(i => i < TimeSpan.Zero || i > TimeSpan.FromHours(1)))
        {
            yield return new ValidationResult($"{Section}:{nameof(RetryIntervals)}: each interval must be between 0 and 1 hour.", [nameof(RetryIntervals)]);
        }
    }
}
