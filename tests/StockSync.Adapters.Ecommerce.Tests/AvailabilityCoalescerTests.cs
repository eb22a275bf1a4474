using StockSync.Adapters.Ecommerce.Availability;
using StockSync.Inventory;

namespace StockSync.Adapters.Ecommerce.Tests;

/// <summary>The latest-value map between the availability consumer and the pusher.</summary>
public sealed class AvailabilityCoalescerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly StockKey Shoe = new("SKU-1001", "DC-01");
    private static readonly StockKey Jacket = new("SKU-1002", "DC-01");
    private static readonly StockKey Bottle = new("SKU-1003", "STORE-001");

    private readonly AvailabilityCoalescer _coalescer = new();

    [Fact]
    public void A_burst_of_changes_to_one_key_becomes_one_push_of_the_newest_value()
    {
        Assert.Equal(OfferOutcome.Queued, _coalescer.Offer(Shoe, 1, 10, Now));
        for (var version = 2; version <= 50; version++)
        {
            Assert.Equal(OfferOutcome.Replaced, _coalescer.Offer(Shoe, version, 60 - version, Now));
        }

        var push = Assert.IsType<PendingPush>(_coalescer.TryTake(Now));
        Assert.Equal((Shoe, 50L, 10), (push.Key, push.Version, push.Quantity));
        Assert.Null(_coalescer.TryTake(Now));
        _coalescer.Complete(Shoe, 50);
        Assert.Equal(0, _coalescer.PendingCount);
    }

    [Fact]
    public void Versions_arriving_out_of_order_never_replace_a_newer_pending_value()
    {
        _coalescer.Offer(Shoe, 7, 3, Now);
        Assert.Equal(OfferOutcome.Stale, _coalescer.Offer(Shoe, 5, 9, Now));
        Assert.Equal(OfferOutcome.Stale, _coalescer.Offer(Shoe, 7, 9, Now));
        var push = _coalescer.TryTake(Now)!;
        Assert.Equal((7L, 3), (push.Version, push.Quantity));
    }

    [Fact]
    public void A_version_not_newer_than_the_one_pushed_is_dropped()
    {
        _coalescer.Offer(Shoe, 7, 3, Now);
        _coalescer.Complete(Shoe, _coalescer.TryTake(Now)!.Version);

        Assert.Equal(OfferOutcome.Stale, _coalescer.Offer(Shoe, 6, 8, Now));
        Assert.Equal(OfferOutcome.Stale, _coalescer.Offer(Shoe, 7, 3, Now, OfferPriority.Resync));
        Assert.Null(_coalescer.TryTake(Now));
        Assert.Equal(OfferOutcome.Queued, _coalescer.Offer(Shoe, 8, 2, Now));
    }

    [Fact]
    public void A_change_that_arrives_while_its_key_is_being_pushed_is_pushed_right_after()
    {
        _coalescer.Offer(Shoe, 1, 10, Now);
        var first = _coalescer.TryTake(Now)!;
        Assert.Equal(OfferOutcome.Replaced, _coalescer.Offer(Shoe, 2, 9, Now));

        // The key is in flight: it is not handed out twice at once.
        Assert.Null(_coalescer.TryTake(Now));

        // The caller, about to send, sends the newest value instead of the one it took.
        var refreshed = _coalescer.Refresh(first);
        Assert.Equal((2L, 9), (refreshed.Version, refreshed.Quantity));

        // Had it sent the old one, completing it leaves the newer one due.
        _coalescer.Complete(Shoe, first.Version);
        var second = _coalescer.TryTake(Now)!;
        Assert.Equal((2L, 9), (second.Version, second.Quantity));
        _coalescer.Complete(Shoe, second.Version);
        Assert.Null(_coalescer.TryTake(Now));
    }

    [Fact]
    public void Live_changes_are_pushed_before_a_resync_s_re_offers()
    {
        _coalescer.Offer(Jacket, 3, 1, null, OfferPriority.Resync);
        _coalescer.Offer(Bottle, 4, 1, null, OfferPriority.Resync);
        _coalescer.Offer(Shoe, 9, 1, Now);
        Assert.Equal(Shoe, _coalescer.TryTake(Now)!.Key);

        // A live change to a key waiting for the resync moves it ahead.
        _coalescer.Offer(Bottle, 5, 0, Now);
        Assert.Equal(Bottle, _coalescer.TryTake(Now)!.Key);
        Assert.Equal(Jacket, _coalescer.TryTake(Now)!.Key);
    }

    [Fact]
    public void A_key_in_backoff_waits_without_holding_up_the_others_and_keeps_only_its_newest_value()
    {
        _coalescer.Offer(Shoe, 1, 10, Now);
        _coalescer.Offer(Jacket, 1, 4, Now);
        var shoe = _coalescer.TryTake(Now)!;
        _coalescer.Retry(shoe.Key, Now.AddSeconds(4));
        _coalescer.Offer(Shoe, 2, 8, Now); // a newer value while it waits

        Assert.Equal(Jacket, _coalescer.TryTake(Now)!.Key);
        Assert.Null(_coalescer.TryTake(Now.AddSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(1), _coalescer.NextDueIn(Now.AddSeconds(3)));

        var retried = _coalescer.TryTake(Now.AddSeconds(4))!;
        Assert.Equal((Shoe, 2L, 8, 1), (retried.Key, retried.Version, retried.Quantity, retried.Attempts));
    }

    [Fact]
    public void A_dropped_value_is_not_remembered_as_pushed_so_a_resync_offers_it_again()
    {
        _coalescer.Offer(Shoe, 4, 10, Now);
        _coalescer.Drop(Shoe, _coalescer.TryTake(Now)!.Version);
        Assert.Null(_coalescer.TryTake(Now));
        Assert.Equal(OfferOutcome.Queued, _coalescer.Offer(Shoe, 4, 10, null, OfferPriority.Resync));
    }

    [Fact]
    public void A_full_resync_pushes_keys_again_even_if_unchanged()
    {
        _coalescer.Offer(Shoe, 4, 10, Now);
        _coalescer.Complete(Shoe, _coalescer.TryTake(Now)!.Version);
        Assert.Equal(OfferOutcome.Stale, _coalescer.Offer(Shoe, 4, 10, null, OfferPriority.Resync));
        _coalescer.ForgetPushed();
        Assert.Equal(OfferOutcome.Queued, _coalescer.Offer(Shoe, 4, 10, null, OfferPriority.Resync));
    }

    [Fact]
    public async Task Concurrent_offers_of_many_versions_leave_exactly_the_newest_per_key()
    {
        var keys = Enumerable.Range(1, 8).Select(i => new StockKey($"SKU-{i}", "DC-01")).ToArray();
        var pushed = new Dictionary<StockKey, (long Version, int Quantity)>();
        using var stop = new CancellationTokenSource();
        var pusher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested || _coalescer.PendingCount > 0)
            {
                if (_coalescer.TryTake(DateTimeOffset.MaxValue) is { } push)
                {
                    var value = _coalescer.Refresh(push);
                    Assert.True(!pushed.TryGetValue(value.Key, out var before) || before.Version < value.Version, $"{value.Key}: version {value.Version} pushed after {before.Version}.");
                    pushed[value.Key] = (value.Version, value.Quantity);
                    _coalescer.Complete(value.Key, value.Version);
                }
                else
                {
                    await Task.Yield();
                }
            }
        });

        // Four producers offer every version of every key in shuffled orders (as competing deliveries would).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(producer => Task.Run(() =>
        {
            var random = new Random(producer);
            var offers = keys.SelectMany(k => Enumerable.Range(1, 500).Select(v => (Key: k, Version: (long)v))).OrderBy(_ => random.Next()).ToList();
            foreach (var (key, version) in offers)
            {
                _coalescer.Offer(key, version, (int)(1000 - version), Now);
            }
        })));
        await stop.CancelAsync();
        await pusher.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(keys, k => Assert.Equal((500L, 500), pushed[k]));
    }
}
