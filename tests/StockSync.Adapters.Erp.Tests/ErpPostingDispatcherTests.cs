using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Erp;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>
/// The dispatcher, round by round on a fake clock against a scripted ERP: batches in queue order, an outage that costs
/// nothing and backs off exponentially, Retry-After, refusals that step out of line and end in the exception queue
/// after N attempts, and the operator's requeue.
/// </summary>
public sealed class ErpPostingDispatcherTests : IAsyncLifetime
{
    private ErpTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ErpTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Postings_go_to_the_ERP_in_batches_of_the_configured_size_in_queue_order()
    {
        await _bed.EnqueueAsync("P1", "P2", "P3", "P4");
        await _bed.EnqueueAsync("P5", "P6", "P7");

        Assert.Equal(3, await _bed.DrainAsync());

        Assert.Equal([["P1", "P2", "P3"], ["P4", "P5", "P6"], ["P7"]], _bed.Erp.Requests);
        var rows = await _bed.RowsAsync();
        Assert.All(rows, r => Assert.Equal((ErpPostingStatus.Posted, 1, ErpTestBed.Start.UtcDateTime), (r.Status, r.Attempts, r.PostedAt!.Value)));
        Assert.Equal((await _bed.RowsAsync()).Select(r => r.PostingId), ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]);
        Assert.Equal(ErpDispatchOutcome.Idle, (await _bed.RoundAsync()).Outcome);
    }

    [Fact]
    public async Task An_unreachable_ERP_costs_the_postings_nothing_and_is_retried_with_exponential_backoff_then_the_queue_drains_in_order()
    {
        await _bed.EnqueueAsync("P1", "P2", "P3", "P4", "P5");
        _bed.Erp.Unavailable = new ErpBatchOutcome.Unavailable("HTTP 503 from erp.test: down", null);

        // 1 s, 2 s, 4 s, then capped at 8 s: each request is the same head batch, and nothing is sent in between.
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var round = await _bed.RoundAsync();
            Assert.Equal(ErpDispatchOutcome.ErpUnavailable, round.Outcome);
            var wait = round.NextRoundAt!.Value - _bed.Clock.GetUtcNow();
            waits.Add(wait);
            _bed.Clock.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.Equal(ErpDispatchOutcome.WaitingForErp, (await _bed.RoundAsync()).Outcome);
            _bed.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal([1, 2, 4, 8, 8, 8], waits.Select(w => w.TotalSeconds));
        Assert.Equal(6, _bed.Erp.Requests.Count);
        Assert.All(_bed.Erp.Requests, r => Assert.Equal(["P1", "P2", "P3"], r));
        var waiting = await _bed.RowsAsync();
        Assert.All(waiting, r => Assert.Equal((ErpPostingStatus.Pending, 0), (r.Status, r.Attempts)));
        Assert.StartsWith("ERP unavailable (request 6 in a row", waiting[0].LastError, StringComparison.Ordinal);
        Assert.Null(waiting[4].LastError); // P5 was never at the head of the queue

        // Postings keep queuing during the outage; the ERP comes back and everything goes, in order, once.
        await _bed.EnqueueAsync("P6", "P7");
        _bed.Erp.Unavailable = null;
        Assert.Equal(3, await _bed.DrainAsync());
        Assert.Equal(["P1", "P2", "P3", "P4", "P5", "P6", "P7"], _bed.Erp.Booked);
        Assert.All(await _bed.RowsAsync(), r => Assert.Equal((ErpPostingStatus.Posted, 1), (r.Status, r.Attempts)));
    }

    [Fact]
    public async Task A_throttling_ERP_is_not_asked_again_before_its_Retry_After()
    {
        await _bed.EnqueueAsync("P1");
        _bed.Erp.Unavailable = new ErpBatchOutcome.Unavailable("HTTP 429 from erp.test: slow down", TimeSpan.FromSeconds(30));

        var round = await _bed.RoundAsync();

        Assert.Equal(_bed.Clock.GetUtcNow() + TimeSpan.FromSeconds(30), round.NextRoundAt);
        _bed.Erp.Unavailable = null;
        _bed.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(ErpDispatchOutcome.WaitingForErp, (await _bed.RoundAsync()).Outcome);
        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ErpDispatchOutcome.Sent, (await _bed.RoundAsync()).Outcome);
        Assert.Equal(["P1"], _bed.Erp.Booked);
    }

    [Fact]
    public async Task A_refused_posting_steps_out_of_line_is_retried_with_backoff_and_after_N_refusals_lands_in_the_exception_queue_without_blocking_the_rest()
    {
        _bed.Erp.RefusedIds.Add("BAD");
        await _bed.EnqueueAsync("P1", "BAD", "P2");

        var first = await _bed.RoundAsync();

        Assert.Equal((ErpDispatchOutcome.Sent, 3, 2, 1, 0), (first.Outcome, first.Sent, first.Posted, first.Refused, first.Failed));
        var bad = await _bed.RowAsync("BAD");
        Assert.Equal((ErpPostingStatus.Pending, 1, _bed.Clock.GetUtcNow().UtcDateTime.AddSeconds(1)), (bad.Status, bad.Attempts, bad.NextAttemptAt));
        Assert.Contains("cannot be booked", bad.LastError, StringComparison.Ordinal);

        // Postings behind it go on while it waits for its next attempt.
        await _bed.EnqueueAsync("P3");
        await _bed.DrainAsync();
        Assert.Equal(["P1", "P2", "P3"], _bed.Erp.Booked);

        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await _bed.EnqueueAsync("P4");
        Assert.Equal(1, (await _bed.RoundAsync()).Refused); // BAD goes first, P4 behind it in the same batch
        Assert.Equal(["BAD", "P4"], _bed.Erp.Requests[^1]);
        Assert.Equal((2, _bed.Clock.GetUtcNow().UtcDateTime.AddSeconds(2)), ((await _bed.RowAsync("BAD")).Attempts, (await _bed.RowAsync("BAD")).NextAttemptAt));

        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ErpDispatchOutcome.Idle, (await _bed.RoundAsync()).Outcome); // not due yet
        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        var last = await _bed.RoundAsync();
        Assert.Equal(1, last.Failed);

        var failed = await _bed.RowAsync("BAD");
        Assert.Equal((ErpPostingStatus.Failed, 3, _bed.Clock.GetUtcNow().UtcDateTime, (DateTime?)null), (failed.Status, failed.Attempts, failed.FailedAt!.Value, failed.NextAttemptAt));
        Assert.Equal(3, _bed.Erp.Requests.Count(r => r.Contains("BAD")));

        // The exception queue is never sent; later postings still go.
        _bed.Clock.Advance(TimeSpan.FromMinutes(10));
        await _bed.EnqueueAsync("P5");
        await _bed.DrainAsync();
        Assert.Equal(3, _bed.Erp.Requests.Count(r => r.Contains("BAD")));
        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], _bed.Erp.Booked);
        Assert.Equal(["BAD"], (await _bed.WithStoreAsync(s => s.ListAsync(ErpPostingStatus.Failed, 0, 100, default))).Select(p => p.PostingId));
    }

    [Fact]
    public async Task A_requeued_posting_gets_fresh_attempts_and_goes_out_next_ahead_of_everything_still_pending()
    {
        _bed.Erp.RefusedIds.Add("BAD");
        await _bed.EnqueueAsync("BAD");
        for (var i = 0; i < 3; i++)
        {
            await _bed.RoundAsync();
            _bed.Clock.Advance(TimeSpan.FromSeconds(8));
        }

        Assert.Equal(ErpPostingStatus.Failed, (await _bed.RowAsync("BAD")).Status);
        await _bed.EnqueueAsync("P1", "P2", "P3");
        _bed.Erp.Unavailable = new ErpBatchOutcome.Unavailable("down", null);
        await _bed.RoundAsync(); // P1..P3 wait at the head of the queue
        _bed.Erp.Unavailable = null;
        _bed.Erp.RefusedIds.Clear(); // the cause is fixed in the ERP

        var (outcome, posting) = await _bed.WithStoreAsync(s => s.RequeueAsync("BAD", default));

        Assert.Equal(RequeueOutcome.Requeued, outcome);
        Assert.Equal((ErpPostingStatus.Pending, 0, (DateTime?)null, _bed.Clock.GetUtcNow().UtcDateTime), (posting!.Status, posting.Attempts, posting.FailedAt, posting.RequeuedAt!.Value));
        Assert.Contains("cannot be booked", posting.LastError, StringComparison.Ordinal); // kept for the record
        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await _bed.DrainAsync();
        Assert.Equal(["BAD", "P1", "P2"], _bed.Erp.Requests[^2]);
        Assert.Equal(["BAD", "P1", "P2", "P3"], _bed.Erp.Booked);
        Assert.Equal((ErpPostingStatus.Posted, 1), ((await _bed.RowAsync("BAD")).Status, (await _bed.RowAsync("BAD")).Attempts));
    }

    [Fact]
    public async Task Only_a_posting_in_the_exception_queue_can_be_requeued()
    {
        await _bed.EnqueueAsync("P1");

        Assert.Equal(RequeueOutcome.NotFailed, (await _bed.WithStoreAsync(s => s.RequeueAsync("P1", default))).Outcome);
        await _bed.DrainAsync();
        var (outcome, posting) = await _bed.WithStoreAsync(s => s.RequeueAsync("P1", default));
        Assert.Equal((RequeueOutcome.NotFailed, ErpPostingStatus.Posted), (outcome, posting!.Status));
        Assert.Equal((RequeueOutcome.NotFound, (ErpPostingRecord?)null), await _bed.WithStoreAsync(s => s.RequeueAsync("NOPE", default)));
        Assert.Equal(["P1"], _bed.Erp.Booked);
    }

    [Fact]
    public async Task A_request_the_ERP_refuses_as_a_whole_counts_one_attempt_for_each_of_its_postings()
    {
        await _bed.EnqueueAsync("P1", "P2");
        _bed.Erp.RefuseRequest = "HTTP 400 from erp.test: malformed";

        for (var i = 0; i < 3; i++)
        {
            await _bed.RoundAsync();
            _bed.Clock.Advance(TimeSpan.FromSeconds(8));
        }

        Assert.All(await _bed.RowsAsync(), r => Assert.Equal((ErpPostingStatus.Failed, 3, "HTTP 400 from erp.test: malformed"), (r.Status, r.Attempts, r.LastError)));
    }

    [Fact]
    public async Task A_posting_the_ERPs_answer_leaves_out_counts_as_refused()
    {
        await _bed.EnqueueAsync("P1", "P2");
        var partial = new PartialErp();
        var dispatcher = new ErpPostingDispatcher(
            _bed.Services.GetRequiredService<IServiceScopeFactory>(),
            partial,
            _bed.Services.GetRequiredService<IOptions<ErpPostingOptions>>(),
            _bed.Clock,
            NullLogger<ErpPostingDispatcher>.Instance);

        await dispatcher.DispatchOnceAsync(default);

        Assert.Equal(ErpPostingStatus.Posted, (await _bed.RowAsync("P1")).Status);
        var p2 = await _bed.RowAsync("P2");
        Assert.Equal((ErpPostingStatus.Pending, 1, "The ERP's answer did not mention this posting."), (p2.Status, p2.Attempts, p2.LastError));
    }

    private sealed class PartialErp : IErpClient
    {
        public Task<ErpBatchOutcome> PostAsync(IReadOnlyList<ErpPostingRecord> postings, CancellationToken ct) =>
            Task.FromResult<ErpBatchOutcome>(new ErpBatchOutcome.Answered([new ErpPostingResult(postings[0].PostingId, true, null)]));
    }
}
