namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>
/// A leaky bucket (as a meter, in its "virtual scheduling" form): the bucket holds at most <c>burst</c> requests and
/// leaks <c>ratePerSecond</c> of them per second. A request may go when it fits; otherwise the caller is told how long
/// until it does. Over any window of length T, at most <c>burst + rate × T</c> requests go. Thread-safe; the clock is
/// a <see cref="TimeProvider"/>, so tests drive it.
/// </summary>
public sealed class LeakyBucket
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private readonly TimeSpan _tolerance;
    private DateTimeOffset _theoreticalArrival;

    public LeakyBucket(double ratePerSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _interval = TimeSpan.FromSeconds(1 / ratePerSecond);
        _tolerance = _interval * (burst - 1);
        RatePerSecond = ratePerSecond;
        Burst = burst;
        _theoreticalArrival = time.GetUtcNow();
    }

    /// <summary>Requests per second, sustained.</summary>
    public double RatePerSecond { get; }

    /// <summary>Requests that may go at once after a quiet spell.</summary>
    public int Burst { get; }

    /// <summary>Takes a place for one request if there is one now (<see cref="TimeSpan.Zero"/>); otherwise takes nothing and returns how long until there is.</summary>
    public TimeSpan TryAcquire()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var arrival = _theoreticalArrival > now ? _theoreticalArrival : now;
            var allowedAt = arrival - _tolerance;
            if (now >= allowedAt)
            {
                _theoreticalArrival = arrival + _interval;
                return TimeSpan.Zero;
            }

            return allowedAt - now;
        }
    }

    /// <summary>Waits until one request may go, and takes its place.</summary>
    public async Task AcquireAsync(CancellationToken ct)
    {
        while (TryAcquire() is var wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
    }
}
