using System.Collections.Concurrent;

namespace StockSync.Simulators.Storefront;

/// <summary>The <c>Storefront</c> configuration of the simulator.</summary>
public sealed class StorefrontSimulatorOptions
{
    public const string Section = "Storefront";

    /// <summary>The webhook secret StockSync's development settings hold (<c>Ecommerce:WebhookSecret</c>): for local use only.</summary>
    public const string DevelopmentSecret = "stocksync-dev-only-shopify-webhook-secret";

    /// <summary>The inventory API's rate limit: requests per second, sustained (Shopify REST: 2).</summary>
    public double RequestsPerSecond { get; set; } = 2;

    /// <summary>The inventory API's bucket: requests that may arrive together after a quiet spell.</summary>
    public int Burst { get; set; } = 2;

    /// <summary>The secret webhooks are signed with; it must be StockSync's <c>Ecommerce:WebhookSecret</c>.</summary>
    public string WebhookSecret { get; set; } = DevelopmentSecret;

    /// <summary>Where webhooks go: StockSync's webhook URL without the topic.</summary>
    public string WebhookTarget { get; set; } = "http://localhost:5080/webhooks/shopify";

    /// <summary>The shop's domain, sent as <c>X-Shopify-Shop-Domain</c>.</summary>
    public string ShopDomain { get; set; } = "stocksync-demo.myshopify.com";
}

/// <summary>The faults the simulated storefront's inventory API is told to show.</summary>
public sealed record StorefrontFaults
{
    /// <summary>Every call fails with 503 until switched off.</summary>
    public bool Outage { get; init; }

    /// <summary>Each call is answered only after this many milliseconds.</summary>
    public int DelayMs { get; init; }

    /// <summary>The next N calls fail with 503.</summary>
    public int FailNext { get; init; }

    /// <summary>The next N calls are throttled with 429 and <see cref="RetryAfterSeconds"/>, whatever the rate.</summary>
    public int ThrottleNext { get; init; }

    /// <summary>The Retry-After of a forced 429.</summary>
    public int RetryAfterSeconds { get; init; } = 2;
}

/// <summary>The storefront's rate limit (a leaky bucket), switchable at run time.</summary>
public sealed record StorefrontRateLimit(double RequestsPerSecond, int Burst);

/// <summary>One inventory API call the storefront received, and how it answered.</summary>
public sealed record StorefrontCall(
    DateTimeOffset ReceivedAt,
    int Status,
    double? RetryAfterSeconds,
    string? Reason,
    long? InventoryItemId,
    long? LocationId,
    int? Available);

/// <summary>The storefront's latest <c>available</c> of one inventory item at one location.</summary>
public sealed record InventoryLevel(long InventoryItemId, long LocationId, int Available, DateTimeOffset UpdatedAt, int Updates);

/// <summary>One webhook delivery the storefront made, and StockSync's answer.</summary>
public sealed record WebhookDelivery(string WebhookId, string Topic, DateTimeOffset SentAt, string Signature, int Status, string Answer);

/// <summary>
/// The simulated storefront's state: its rate limit and faults, every inventory call received (with the answer), the
/// latest available quantity per inventory item × location, and every webhook delivery it made.
/// </summary>
public sealed class StorefrontSimulator
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<StorefrontCall> _calls = new();
    private readonly ConcurrentDictionary<(long Item, long Location), InventoryLevel> _levels = new();
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    private readonly TimeProvider _time;
    private StorefrontFaults _faults = new();
    private StorefrontRateLimit _limit;
    private DateTimeOffset _theoreticalArrival;

    public StorefrontSimulator(Microsoft.Extensions.Options.IOptions<StorefrontSimulatorOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        Options = options.Value;
        _limit = new StorefrontRateLimit(Options.RequestsPerSecond, Options.Burst);
        _theoreticalArrival = time.GetUtcNow();
    }

    /// <summary>The simulator's configuration.</summary>
    public StorefrontSimulatorOptions Options { get; }

    public StorefrontFaults Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults;
            }
        }

        set
        {
            lock (_gate)
            {
                _faults = value ?? new StorefrontFaults();
            }
        }
    }

    public StorefrontRateLimit RateLimit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!(value.RequestsPerSecond > 0) || value.Burst < 1)
            {
                throw new ArgumentException("The rate must be above 0 and the burst at least 1.", nameof(value));
            }

            lock (_gate)
            {
                _limit = value;
                _theoreticalArrival = _time.GetUtcNow();
            }
        }
    }

    /// <summary>
    /// Decides the answer to a call arriving now: an outage or a counted fault first, then the rate limit (a call that
    /// does not fit in the bucket is a 429 whose Retry-After is the whole seconds until it would fit; it takes no place).
    /// </summary>
    public (int Status, double? RetryAfterSeconds, string? Reason, int DelayMs) Admit()
    {
        lock (_gate)
        {
            var faults = _faults;
            if (faults.Outage)
            {
                return (StatusCodes.Status503ServiceUnavailable, null, "outage", faults.DelayMs);
            }

            if (faults.FailNext > 0)
            {
                _faults = faults with { FailNext = faults.FailNext - 1 };
                return (StatusCodes.Status503ServiceUnavailable, null, "failure", faults.DelayMs);
            }

            if (faults.ThrottleNext > 0)
            {
                _faults = faults with { ThrottleNext = faults.ThrottleNext - 1 };
                return (StatusCodes.Status429TooManyRequests, faults.RetryAfterSeconds, "forced-throttle", faults.DelayMs);
            }

            var now = _time.GetUtcNow();
            var interval = TimeSpan.FromSeconds(1 / _limit.RequestsPerSecond);
            var arrival = _theoreticalArrival > now ? _theoreticalArrival : now;
            var allowedAt = arrival - (interval * (_limit.Burst - 1));
            if (now < allowedAt)
            {
                return (StatusCodes.Status429TooManyRequests, Math.Max(1, Math.Ceiling((allowedAt - now).TotalSeconds)), "rate-limited", faults.DelayMs);
            }

            _theoreticalArrival = arrival + interval;
            return (StatusCodes.Status200OK, null, null, faults.DelayMs);
        }
    }

    /// <summary>Records a call.</summary>
    public void Record(StorefrontCall call) => _calls.Enqueue(call);

    /// <summary>Sets an inventory level (a successful call).</summary>
    public InventoryLevel Set(long inventoryItemId, long locationId, int available) =>
        _levels.AddOrUpdate(
            (inventoryItemId, locationId),
            _ => new InventoryLevel(inventoryItemId, locationId, available, _time.GetUtcNow(), 1),
            (_, level) => level with { Available = available, UpdatedAt = _time.GetUtcNow(), Updates = level.Updates + 1 });

    /// <summary>Every call received, oldest first.</summary>
    public IReadOnlyList<StorefrontCall> Calls => [.. _calls];

    /// <summary>Every inventory level, by item and location.</summary>
    public IReadOnlyList<InventoryLevel> Levels => [.. _levels.Values.OrderBy(l => l.InventoryItemId).ThenBy(l => l.LocationId)];

    /// <summary>Records a webhook delivery.</summary>
    public void Record(WebhookDelivery delivery) => _deliveries.Enqueue(delivery);

    /// <summary>Every webhook delivery made, oldest first.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries => [.. _deliveries];

    /// <summary>Forgets calls, levels and deliveries, and switches faults off.</summary>
    public void Reset()
    {
        _calls.Clear();
        _levels.Clear();
        _deliveries.Clear();
        Faults = new StorefrontFaults();
        RateLimit = new StorefrontRateLimit(Options.RequestsPerSecond, Options.Burst);
    }
}
