using System.ComponentModel.DataAnnotations;

namespace StockSync.Adapters.Erp;

/// <summary>
/// The <c>Erp:Postings</c> configuration section: where the ERP takes postings, and how the dispatcher sends them
/// (batch size, backoff, attempts before the exception queue, the lease that keeps it to one replica at a time).
/// </summary>
public sealed class ErpPostingOptions : IValidatableObject
{
    public const string Section = "Erp:Postings";

    /// <summary>The source system the ERP's own movements carry; they are not posted back to it.</summary>
    public const string ErpSourceSystem = "erp";

    /// <summary>The ERP's posting endpoint (a batch of postings per POST), for example <c>http://erp.example/api/postings</c>.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>Whether this replica runs the dispatcher. Off, postings still queue; another replica (or a restart) sends them.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How many postings go to the ERP in one request.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// How many times the ERP may refuse a posting before it moves to the exception queue (status <c>Failed</c>).
    /// Only the ERP's answers count: an unreachable, throttling or failing ERP never moves a posting there.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The first backoff: after a refusal, before that posting's next attempt; after the ERP could not be reached,
    /// before the next request. It doubles with every further refusal (or every further failed request), up to
    /// <see cref="MaxRetryDelay"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff. It is also how long a recovered ERP may wait to be noticed. A longer Retry-After from the ERP wins.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one request may take before it counts as the ERP not answering (the batch is sent again later).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle dispatcher looks for new postings.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A pause after each batch while a backlog drains (0: none), so a recovered ERP is not flooded.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan PauseBetweenBatches { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long a replica's claim on the dispatcher lasts without renewal (renewed before every request). It must be
    /// longer than <see cref="RequestTimeout"/>, so a claim never runs out during a request. Another replica takes
    /// over after it (at once, when the holder shuts down cleanly).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Source systems whose movements are not posted (the ERP's own adjustments and receipts come from it).
    /// Empty means the default, <c>erp</c> (the configuration binder appends to an array's initial items, so the
    /// default is not one).
    /// </summary>
    public string[] ExcludedSourceSystems { get; set; } = [];

    /// <summary>The excluded source systems in force.</summary>
    public IReadOnlyList<string> SourceSystemsNotPosted => ExcludedSourceSystems.Length > 0 ? ExcludedSourceSystems : [ErpSourceSystem];

    /// <summary>The backoff before try <paramref name="failures"/> + 1: the base delay doubled per failure after the first, capped.</summary>
    public TimeSpan Backoff(int failures)
    {
        var doublings = Math.Clamp(failures - 1, 0, 30);
        var delay = RetryBaseDelay.TotalMilliseconds * Math.Pow(2, doublings);
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxRetryDelay.TotalMilliseconds));
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DispatcherEnabled && (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(Url)} must be the ERP's absolute http(s) posting URL (or set {Section}:{nameof(DispatcherEnabled)} to false on this replica).",
                [nameof(Url)]);
        }

        if (Lease <= RequestTimeout)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(Lease)} ({Lease}) must be longer than {Section}:{nameof(RequestTimeout)} ({RequestTimeout}), so the dispatcher's claim outlives a request.",
                [nameof(Lease)]);
        }

        if (MaxRetryDelay < RetryBaseDelay)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(MaxRetryDelay)} ({MaxRetryDelay}) must not be shorter than {Section}:{nameof(RetryBaseDelay)} ({RetryBaseDelay}).",
                [nameof(MaxRetryDelay)]);
        }

        if (ExcludedSourceSystems.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult($"{Section}:{nameof(ExcludedSourceSystems)} cannot hold an empty name.", [nameof(ExcludedSourceSystems)]);
        }
    }
}
