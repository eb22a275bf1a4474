using Microsoft.Extensions.Time.Testing;
using StockSync.Adapters.Ecommerce.Availability;

namespace StockSync.Adapters.Ecommerce.Tests;

/// <summary>The pusher's rate limit: a leaky bucket of <c>burst</c> requests leaking <c>rate</c> per second.</summary>
public sealed class LeakyBucketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_burst_goes_at_once_and_the_next_request_waits_one_interval()
    {
        var bucket = new LeakyBucket(ratePerSecond: 2, burst: 3, _time);
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.TryAcquire());

        // A refused request takes no place: asking again at once gets the same answer.
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(TimeSpan.FromMilliseconds(1), bucket.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.TryAcquire());
    }

    [Fact]
    public void With_a_burst_of_one_requests_are_spaced_by_the_rate()
    {
        var bucket = new LeakyBucket(ratePerSecond: 4, burst: 1, _time);
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
    }

    [Fact]
    public void A_quiet_spell_refills_the_bucket_but_never_beyond_the_burst()
    {
        var bucket = new LeakyBucket(ratePerSecond: 2, burst: 2, _time);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.Equal(TimeSpan.Zero, bucket.TryAcquire());
        Assert.True(bucket.TryAcquire() > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 4)]
    [InlineData(10, 3)]
    [InlineData(0.5, 2)]
    public void A_greedy_caller_never_exceeds_burst_plus_rate_times_the_window(double rate, int burst)
    {
        var bucket = new LeakyBucket(rate, burst, _time);
        var start = _time.GetUtcNow();
        var sent = new List<DateTimeOffset>();
        var step = TimeSpan.FromMilliseconds(10);
        while (_time.GetUtcNow() - start < TimeSpan.FromSeconds(30))
        {
            while (bucket.TryAcquire() == TimeSpan.Zero)
            {
                sent.Add(_time.GetUtcNow());
            }

            _time.Advance(step);
        }

        // Every window of every length from every request: at most burst + rate × window.
        for (var i = 0; i < sent.Count; i++)
        {
            for (var j = i; j < sent.Count; j++)
            {
                var window = (sent[j] - sent[i]).TotalSeconds;
                Assert.True(j - i + 1 <= burst + (rate * window) + 1e-9, $"{j - i + 1} requests within {window} s at {rate}/s with a burst of {burst}.");
            }
        }

        // And it does sustain the rate.
        Assert.True(sent.Count >= (rate * 30) - 1, $"Only {sent.Count} requests in 30 s at {rate}/s.");
    }

    [Fact]
    public async Task Acquiring_waits_on_the_clock()
    {
        var bucket = new LeakyBucket(ratePerSecond: 2, burst: 1, _time);
        await bucket.AcquireAsync(CancellationToken.None);
        var second = bucket.AcquireAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
