using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockSync.Adapters.Ecommerce.Availability;
using StockSync.Inventory;
using StockSync.Persistence.Telemetry;

namespace StockSync.Adapters.Ecommerce.Tests;

/// <summary>
/// The pusher against a scripted storefront on a fake clock: the rate limit, a 429's Retry-After honoured by the whole
/// pusher, backoff on an outage, refused values given up, and keys the storefront does not know skipped.
/// </summary>
public sealed class AvailabilityPusherTests : IAsyncDisposable
{
    private static readonly StockKey Shoe = new("SKU-1001", "DC-01");
    private static readonly StockKey Jacket = new("SKU-1002", "DC-01");
    private static readonly StockKey Unknown = new("SKU-9999", "DC-01");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private readonly AvailabilityCoalescer _coalescer = new();
    private readonly ScriptedStorefront _storefront;
    private readonly StockSyncMetrics _metrics = new();
    private readonly StorefrontPushStatus _status;
    private readonly ServiceProvider _services;
    private readonly AvailabilityPusher _pusher;
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public AvailabilityPusherTests()
    {
        _status = new StorefrontPushStatus(_metrics);
        _storefront = new ScriptedStorefront(_time);
        _services = new ServiceCollection().AddScoped<IStorefrontKeys, FixedKeys>().BuildServiceProvider();
        var options = Options.Create(new EcommerceOptions
        {
            Push = new AvailabilityPushOptions { RequestsPerSecond = 2, Burst = 1, RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(8), MaxAttemptsWhenRefused = 3 },
        });
        _pusher = new AvailabilityPusher(_coalescer, _storefront, _services.GetRequiredService<IServiceScopeFactory>(), _status, options, _time, NullLogger<AvailabilityPusher>.Instance);
    }

    private DateTimeOffset Start { get; } = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Pushes_never_exceed_the_rate_and_a_burst_ends_with_the_newest_values()
    {
        Run();
        for (var version = 1; version <= 40; version++)
        {
            _coalescer.Offer(Shoe, version, 100 - version, _time.GetUtcNow());
            _coalescer.Offer(Jacket, version, 200 - version, _time.GetUtcNow());
            await AdvanceAsync(TimeSpan.FromMilliseconds(50));
        }

        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(60, _storefront.Available(1001));
        Assert.Equal(160, _storefront.Available(1002));

        // 80 changes in 2 s became a handful of calls, spaced by at least the bucket's 500 ms.
        var calls = _storefront.Calls;
        Assert.InRange(calls.Count, 2, 8);
        Assert.All(calls.Zip(calls.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromMilliseconds(500), $"{pair.First.At:O} then {pair.Second.At:O}"));
    }

    [Fact]
    public async Task After_a_429_nothing_is_sent_before_its_Retry_After_and_then_the_newest_value_goes()
    {
        _storefront.Script.Enqueue(new StorefrontResult(StorefrontOutcome.Throttled, TimeSpan.FromSeconds(3), "HTTP 429"));
        Run();
        _coalescer.Offer(Shoe, 1, 10, _time.GetUtcNow());
        _coalescer.Offer(Jacket, 1, 20, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromMilliseconds(100));
        var throttled = Assert.Single(_storefront.Calls);

        // Newer values while paused replace the waiting ones.
        _coalescer.Offer(Shoe, 2, 7, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromMilliseconds(2800));
        Assert.Single(_storefront.Calls);
        Assert.NotNull(_status.Snapshot(0).PausedUntil);

        await AdvanceAsync(TimeSpan.FromSeconds(3));
        var after = _storefront.Calls.Skip(1).ToList();
        Assert.Equal(2, after.Count);
        Assert.True(after[0].At >= throttled.At + TimeSpan.FromSeconds(3), $"Sent at {after[0].At:O}, before the Retry-After of the 429 at {throttled.At:O} passed.");
        Assert.Equal(7, _storefront.Available(1001));
        Assert.Equal(20, _storefront.Available(1002));
        Assert.Equal(1, _status.Snapshot(0).Throttled);
    }

    [Fact]
    public async Task An_unavailable_storefront_pauses_the_pusher_with_growing_backoff()
    {
        for (var i = 0; i < 3; i++)
        {
            _storefront.Script.Enqueue(new StorefrontResult(StorefrontOutcome.Unavailable, null, "HTTP 503"));
        }

        Run();
        _coalescer.Offer(Shoe, 1, 10, _time.GetUtcNow());
        _coalescer.Offer(Jacket, 1, 20, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(20));

        var calls = _storefront.Calls;
        Assert.Equal(5, calls.Count); // three failures, then both keys
        var gaps = calls.Zip(calls.Skip(1)).Select(p => p.Second.At - p.First.At).ToList();
        Assert.True(gaps[0] >= TimeSpan.FromSeconds(1) && gaps[1] >= TimeSpan.FromSeconds(2) && gaps[2] >= TimeSpan.FromSeconds(4), string.Join(", ", gaps));
        Assert.Equal(10, _storefront.Available(1001));
        Assert.Equal(20, _storefront.Available(1002));
    }

    [Fact]
    public async Task A_value_the_storefront_keeps_refusing_is_given_up_and_a_newer_one_is_tried_again()
    {
        for (var i = 0; i < 3; i++)
        {
            _storefront.Script.Enqueue(new StorefrontResult(StorefrontOutcome.Refused, null, "HTTP 422"));
        }

        Run();
        _coalescer.Offer(Shoe, 1, 10, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, _storefront.Calls.Count);
        Assert.Equal(1, _status.Snapshot(0).GivenUp);
        Assert.Null(_storefront.Available(1001));

        _coalescer.Offer(Shoe, 2, 9, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(9, _storefront.Available(1001));
    }

    [Fact]
    public async Task A_key_the_storefront_does_not_know_is_skipped_and_counted_without_a_call()
    {
        Run();
        _coalescer.Offer(Unknown, 1, 10, _time.GetUtcNow());
        _coalescer.Offer(Shoe, 1, 5, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        var call = Assert.Single(_storefront.Calls);
        Assert.Equal(1001, call.Item);
        Assert.Equal(1, _status.Snapshot(0).UnknownKeys);
    }

    [Fact]
    public async Task A_push_that_throws_hands_its_key_back_so_the_newest_value_still_arrives()
    {
        // A fault the client does not turn into a result (a bug, a handler that throws): the pusher's loop survives it,
        // and the key must not stay "in flight" for ever, or no later change or resync would push it again.
        _storefront.Throws.Enqueue(new InvalidOperationException("handler bug"));
        Run();
        _coalescer.Offer(Shoe, 1, 10, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(10, _storefront.Available(1001));

        _coalescer.Offer(Shoe, 2, 8, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(8, _storefront.Available(1001));
        Assert.Equal(0, _coalescer.PendingCount);
        Assert.Equal(3, _storefront.Calls.Count); // the one that threw, its retry, and the next change
    }

    [Fact]
    public async Task Cases_are_pushed_in_whole_storefront_units()
    {
        Run();
        _coalescer.Offer(new StockKey("SKU-CASE", "DC-01"), 1, 23, _time.GetUtcNow());
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _storefront.Available(5000)); // 23 units, cases of 12
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        _metrics.Dispose();
        await _services.DisposeAsync();
    }

    private void Run()
    {
        var bucket = new LeakyBucket(2, 1, _time);
        _running = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await _pusher.PushNextAsync(bucket, _stop.Token);
                }
                catch (InvalidOperationException)
                {
                    // As ExecuteAsync does: the loop outlives a failure (the scripted one).
                }
            }
        });
    }

    /// <summary>Moves the fake clock forward in small steps, letting the pusher run between them.</summary>
    private async Task AdvanceAsync(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(50);
        for (var passed = TimeSpan.Zero; passed < span; passed += step)
        {
            await Settle();
            _time.Advance(step);
        }

        await Settle();
    }

    private static async Task Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(1);
        }
    }

    private sealed class FixedKeys : IStorefrontKeys
    {
        public Task<IReadOnlyList<StorefrontTarget>> TargetsAsync(StockKey key, CancellationToken ct) => Task.FromResult<IReadOnlyList<StorefrontTarget>>(key.Sku switch
        {
            "SKU-1001" => [new StorefrontTarget(1001, 1, 1)],
            "SKU-1002" => [new StorefrontTarget(1002, 1, 1)],
            "SKU-CASE" => [new StorefrontTarget(5000, 1, 12)],
            _ => [],
        });
    }

    private sealed class ScriptedStorefront(TimeProvider time) : IStorefrontClient
    {
        private readonly ConcurrentQueue<(DateTimeOffset At, long Item, int Available)> _calls = new();
        private readonly ConcurrentDictionary<long, int> _levels = new();

        public ConcurrentQueue<StorefrontResult> Script { get; } = new();

        public ConcurrentQueue<Exception> Throws { get; } = new();

        public IReadOnlyList<(DateTimeOffset At, long Item, int Available)> Calls => [.. _calls];

        public int? Available(long item) => _levels.TryGetValue(item, out var available) ? available : null;

        public Task<StorefrontResult> SetAvailableAsync(long inventoryItemId, long locationId, int available, CancellationToken ct)
        {
            _calls.Enqueue((time.GetUtcNow(), inventoryItemId, available));
            if (Throws.TryDequeue(out var exception))
            {
                throw exception;
            }

            var result = Script.TryDequeue(out var scripted) ? scripted : StorefrontResult.Ok;
            if (result.Outcome == StorefrontOutcome.Ok)
            {
                _levels[inventoryItemId] = available;
            }

            return Task.FromResult(result);
        }
    }
}
