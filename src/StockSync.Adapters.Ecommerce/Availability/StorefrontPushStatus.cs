using StockSync.Persistence.Telemetry;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>
/// What the availability pusher has done since the host started: counters (the storefront calls and the
/// change-to-storefront latency also as OpenTelemetry metrics on the <c>StockSync</c> meter, see
/// <see cref="StockSyncMetrics"/>), the pause it is honouring, and the change-to-storefront latency of recent pushes.
/// <c>GET /ecommerce/storefront/status</c> shows it.
/// </summary>
public sealed class StorefrontPushStatus(StockSyncMetrics metrics)
{
    private const int LatencySamples = 2048;

    private readonly Lock _gate = new();
    private readonly double[] _latencies = new double[LatencySamples];
    private int _latencyCount;
    private int _latencyNext;
    private long _received;
    private long _stale;
    private long _coalesced;
    private long _pushed;
    private long _throttled;
    private long _failed;
    private long _refusedGivenUp;
    private long _unknownKeys;
    private long _notInChannel;
    private long _resyncs;
    private long _resyncOffered;

    /// <summary>The pusher honours a 429 or an outage until then.</summary>
    public DateTimeOffset? PausedUntil { get; set; }

    /// <summary>The last failure, for operators.</summary>
    public string? LastError { get; set; }

    internal void Received() => Interlocked.Increment(ref _received);

    internal void Offered(OfferOutcome outcome)
    {
        if (outcome == OfferOutcome.Stale)
        {
            Interlocked.Increment(ref _stale);
        }
        else if (outcome == OfferOutcome.Replaced)
        {
            Interlocked.Increment(ref _coalesced);
        }
    }

    internal void NotInChannel() => Interlocked.Increment(ref _notInChannel);

    internal void UnknownKey() => Interlocked.Increment(ref _unknownKeys);

    internal void Resync(int offered)
    {
        Interlocked.Increment(ref _resyncs);
        Interlocked.Add(ref _resyncOffered, offered);
    }

    /// <summary>A value reached the storefront; <paramref name="latency"/> is null for a resync's re-offer (no change to time).</summary>
    internal void Pushed(TimeSpan? latency)
    {
        Interlocked.Increment(ref _pushed);
        metrics.StorefrontRequest("ok");
        if (latency is null)
        {
            return;
        }

        var seconds = Math.Max(0, latency.Value.TotalSeconds);
        metrics.StorefrontLatency(seconds);
        lock (_gate)
        {
            _latencies[_latencyNext] = seconds;
            _latencyNext = (_latencyNext + 1) % LatencySamples;
            _latencyCount = Math.Min(_latencyCount + 1, LatencySamples);
        }
    }

    internal void Throttled()
    {
        Interlocked.Increment(ref _throttled);
        metrics.StorefrontRequest("throttled");
    }

    internal void Failed(string error)
    {
        Interlocked.Increment(ref _failed);
        metrics.StorefrontRequest("failed");
        LastError = error;
    }

    internal void GaveUp() => Interlocked.Increment(ref _refusedGivenUp);

    /// <summary>A snapshot for the status endpoint.</summary>
    public StorefrontPushSnapshot Snapshot(int pending)
    {
        double[] latencies;
        lock (_gate)
        {
            latencies = [.. _latencies.Take(_latencyCount)];
        }

        Array.Sort(latencies);
        return new StorefrontPushSnapshot(
            Interlocked.Read(ref _received),
            Interlocked.Read(ref _stale),
            Interlocked.Read(ref _coalesced),
            pending,
            Interlocked.Read(ref _pushed),
            Interlocked.Read(ref _throttled),
            Interlocked.Read(ref _failed),
            Interlocked.Read(ref _refusedGivenUp),
            Interlocked.Read(ref _unknownKeys),
            Interlocked.Read(ref _notInChannel),
            Interlocked.Read(ref _resyncs),
            Interlocked.Read(ref _resyncOffered),
            PausedUntil,
            LastError,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99));
    }

    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>The pusher's counters at one moment.</summary>
/// <param name="Received">AvailabilityChanged events for the storefront's channel.</param>
/// <param name="Stale">Values dropped because a newer one was pending or pushed.</param>
/// <param name="Coalesced">Pending values replaced by a newer one before they were pushed.</param>
/// <param name="Pending">Keys with a value waiting.</param>
/// <param name="Pushed">Values the storefront took.</param>
/// <param name="Throttled">429 answers (each paused the pusher until Retry-After).</param>
/// <param name="Failed">Other failed calls (retried with backoff).</param>
/// <param name="GivenUp">Values the storefront kept refusing, given up until the key changes again.</param>
/// <param name="UnknownKeys">Pushes skipped because the storefront has no id for the SKU or the location.</param>
/// <param name="NotInChannel">Events without the storefront's channel.</param>
/// <param name="Resyncs">Resynchronisations from positions.</param>
/// <param name="ResyncOffered">Positions offered by them.</param>
/// <param name="PausedUntil">The pause being honoured, if any.</param>
/// <param name="LastError">The last failure.</param>
/// <param name="LatencyP50Seconds">Median change-to-storefront latency of recent pushes.</param>
/// <param name="LatencyP99Seconds">99th percentile of the same.</param>
public sealed record StorefrontPushSnapshot(
    long Received,
    long Stale,
    long Coalesced,
    int Pending,
    long Pushed,
    long Throttled,
    long Failed,
    long GivenUp,
    long UnknownKeys,
    long NotInChannel,
    long Resyncs,
    long ResyncOffered,
    DateTimeOffset? PausedUntil,
    string? LastError,
    double? LatencyP50Seconds,
    double? LatencyP99Seconds);
