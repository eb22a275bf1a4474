using Microsoft.Extensions.DependencyInjection;
using StockSync.Persistence.Erp;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>
/// Two replicas' dispatchers on one database: one lease, so one sender at a time; the other takes over when the lease
/// is released or runs out, and no posting is sent by both.
/// </summary>
public sealed class ErpPostingReplicaTests : IAsyncLifetime
{
    private ErpTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ErpTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private ErpPostingDispatcher NewReplica() => ActivatorUtilities.CreateInstance<ErpPostingDispatcher>(_bed.Services);

    [Fact]
    public async Task Two_replicas_dispatching_at_the_same_time_send_every_posting_once_and_in_order()
    {
        var ids = Enumerable.Range(1, 30).Select(i => $"P{i:00}").ToArray();
        await _bed.EnqueueAsync(ids);
        _bed.Erp.Latency = TimeSpan.FromMilliseconds(15);
        var replicas = new[] { NewReplica(), NewReplica() };
        var outcomes = new List<ErpDispatchOutcome>[] { [], [] };

        await Task.WhenAll(replicas.Select(async (replica, index) =>
        {
            for (var round = 0; round < 25; round++)
            {
                outcomes[index].Add((await replica.DispatchOnceAsync(default)).Outcome);
            }
        }));

        Assert.Equal(ids, _bed.Erp.Booked);
        Assert.Equal(ids, _bed.Erp.Requests.SelectMany(r => r));
        Assert.All(await _bed.RowsAsync(), r => Assert.Equal((ErpPostingStatus.Posted, 1), (r.Status, r.Attempts)));
        // One of them held the lease throughout; the other never sent.
        Assert.Single(outcomes, o => o.Contains(ErpDispatchOutcome.Sent));
        Assert.Single(outcomes, o => o.All(x => x == ErpDispatchOutcome.NotLeaseHolder));
    }

    [Fact]
    public async Task A_replica_takes_over_when_the_holder_releases_the_lease_or_its_lease_runs_out()
    {
        var (first, second) = (NewReplica(), NewReplica());
        await _bed.EnqueueAsync("P1");
        Assert.Equal(ErpDispatchOutcome.Sent, (await first.DispatchOnceAsync(default)).Outcome);
        await _bed.EnqueueAsync("P2");
        Assert.Equal(ErpDispatchOutcome.NotLeaseHolder, (await second.DispatchOnceAsync(default)).Outcome);

        // A clean shutdown gives the lease back: the other replica goes on at once.
        await first.ReleaseLeaseAsync(default);
        Assert.Equal(ErpDispatchOutcome.Sent, (await second.DispatchOnceAsync(default)).Outcome);

        // The holder stalls (no renewal): its claim ends after the lease (30 s), and only then may the other send.
        await _bed.EnqueueAsync("P3");
        _bed.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(ErpDispatchOutcome.NotLeaseHolder, (await first.DispatchOnceAsync(default)).Outcome);
        _bed.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ErpDispatchOutcome.Sent, (await first.DispatchOnceAsync(default)).Outcome);
        Assert.Equal(ErpDispatchOutcome.NotLeaseHolder, (await second.DispatchOnceAsync(default)).Outcome);

        Assert.Equal(["P1", "P2", "P3"], _bed.Erp.Booked);
    }

    [Fact]
    public async Task A_replica_backing_off_from_an_unavailable_ERP_keeps_the_lease_so_no_standby_asks_the_ERP_in_between()
    {
        var (holder, standby) = (NewReplica(), NewReplica());
        await _bed.EnqueueAsync("P1");
        _bed.Erp.Unavailable = new ErpBatchOutcome.Unavailable("down", null);
        Assert.Equal(ErpDispatchOutcome.ErpUnavailable, (await holder.DispatchOnceAsync(default)).Outcome);

        // Six backoffs of up to 8 s: far past the 30 s lease, renewed by the holder's rounds while it waits.
        for (var i = 0; i < 6; i++)
        {
            _bed.Clock.Advance(TimeSpan.FromSeconds(0.5));
            Assert.Equal(ErpDispatchOutcome.WaitingForErp, (await holder.DispatchOnceAsync(default)).Outcome);
            Assert.Equal(ErpDispatchOutcome.NotLeaseHolder, (await standby.DispatchOnceAsync(default)).Outcome);
            var round = await WaitOutAsync(holder);
            Assert.Equal(ErpDispatchOutcome.ErpUnavailable, round.Outcome);
        }

        Assert.Equal(7, _bed.Erp.Requests.Count);
    }

    /// <summary>Runs the holder's rounds every second (as its loop would) until it asks the ERP again.</summary>
    private async Task<ErpDispatchRound> WaitOutAsync(ErpPostingDispatcher holder)
    {
        while (true)
        {
            _bed.Clock.Advance(TimeSpan.FromSeconds(1));
            var round = await holder.DispatchOnceAsync(default);
            if (round.Outcome != ErpDispatchOutcome.WaitingForErp)
            {
                return round;
            }
        }
    }
}
