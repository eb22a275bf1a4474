using StockSync.Contracts.Orders;
using StockSync.Sagas.MarketplaceIntake;
using static StockSync.Sagas.Tests.MarketplaceDriver;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The acknowledgment attempts of the marketplace intake under the fake clock: retries with backoff (and Retry-After),
/// no attempt past the deadline, stale failure reports, refusals and operator retries, the warning and the missed
/// deadline (with a late acknowledgment still handing the order over).
/// </summary>
public sealed class MarketplaceAcknowledgementTests : IAsyncLifetime
{
    private const string A = "SKU-A";
    private const string Dc1 = StandardDc1;
    private const string Order = "walmart:PO-1";
    private static readonly DateTime Start = SagaHarness.Start.UtcDateTime;
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.StandardLocationsAsync();
        await _h.StockAsync((A, Dc1, 10));
        await _h.ReceivedAsync(Order, (A, 2));
        await _h.AckRequestAsync(Order);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_retryable_failure_schedules_the_next_attempt_by_the_backoff_and_the_sweeper_makes_it()
    {
        var failed = await _h.FailureRecordedAsync(Order, attempt: 1);

        Assert.Equal((Awaiting, Start.AddSeconds(5), "Attempt 1: HTTP 503: service unavailable"), (failed.CurrentState, failed.NextAttemptAt, failed.LastError));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromSeconds(4)));
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromSeconds(1)));

        var second = await _h.AckRequestAsync(Order, attempt: 2);
        Assert.Equal([("1", MarketplaceLineDecision.Accepted, null)], Decisions(second.Lines));
        var retried = await _h.IntakeWhenAsync(Order, s => s.Attempts == 2, "the second attempt");
        Assert.Equal((Start.AddSeconds(5), null), (retried.LastAttemptAt, retried.NextAttemptAt));

        // The second failure waits the second interval.
        var again = await _h.FailureRecordedAsync(Order, attempt: 2);
        Assert.Equal(Start.AddSeconds(5 + 15), again.NextAttemptAt);

        var handed = await _h.HandedOverAsync(Order, attempt: 2);
        Assert.Equal((null, 2), (handed.NextAttemptAt, handed.Attempts));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromSeconds(15)));
        await _h.OrderInAsync(Order, "Fulfilling");
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));

        // A failure report that arrives after the hand-over changes nothing.
        await _h.FailedAsync(Order, attempt: 2, error: "HTTP 504: late");
        await _h.ConsumedAsync<MarketplaceAcknowledgementFailed>(m => m.Error == "HTTP 504: late");
        var after = (await _h.SagaAsync<MarketplaceOrderState>(Order))!;
        Assert.Equal(("HandedOver", handed.Version, handed.LastError), (after.CurrentState, after.Version, after.LastError));
    }

    [Theory]
    [InlineData(null, 5)]
    [InlineData(2, 5)]
    [InlineData(90, 90)]
    public async Task A_Retry_After_longer_than_the_backoff_interval_wins(int? retryAfterSeconds, int waitSeconds)
    {
        var failed = await _h.FailureRecordedAsync(Order, attempt: 1, retryAfter: retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.Equal(Start.AddSeconds(waitSeconds), failed.NextAttemptAt);
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromSeconds(waitSeconds - 1)));
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromSeconds(1)));
        await _h.AckRequestAsync(Order, attempt: 2);
    }

    [Fact]
    public async Task A_failure_whose_next_attempt_would_fall_after_the_deadline_stops_the_attempts_and_the_deadline_still_alerts()
    {
        var failed = await _h.FailureRecordedAsync(Order, attempt: 1, retryAfter: TimeSpan.FromHours(5));

        Assert.Equal((Awaiting, null), (failed.CurrentState, failed.NextAttemptAt));
        Assert.Equal("Attempt 1: HTTP 503: service unavailable (no further attempt fits before the deadline)", failed.LastError);

        var overdue = await OverdueAsync();
        Assert.Equal(
            "Not acknowledged by 2026-11-23 13:00:00Z after 1 attempt(s); last error: Attempt 1: HTTP 503: service unavailable (no further attempt fits before the deadline).",
            overdue.Reason);
        Assert.Single(_h.Delivered<AcknowledgeMarketplaceOrder>(m => m.OrderId == Order));
    }

    [Fact]
    public async Task A_failure_report_of_an_earlier_attempt_changes_nothing()
    {
        await _h.FailureRecordedAsync(Order, attempt: 1);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(5));
        await _h.AckRequestAsync(Order, attempt: 2);
        var current = await _h.IntakeWhenAsync(Order, s => s.Attempts == 2, "the second attempt");

        // Attempt 1's failure reported again (refused, not even retryable): attempt 2 is the one that counts.
        await _h.FailedAsync(Order, attempt: 1, retryable: false, error: "HTTP 400: stale");
        await _h.ConsumedAsync<MarketplaceAcknowledgementFailed>(m => m.MarketplaceOrderId == "PO-1" && m.Error == "HTTP 400: stale");

        var after = (await _h.SagaAsync<MarketplaceOrderState>(Order))!;
        Assert.Equal((current.Version, Awaiting, null, current.LastError), (after.Version, after.CurrentState, after.NextAttemptAt, after.LastError));
        Assert.Empty(_h.Delivered<MarketplaceOrderAlert>(m => m.OrderId == Order));
    }

    [Fact]
    public async Task A_refused_acknowledgment_alerts_operators_and_waits_for_their_retry_which_can_still_hand_the_order_over()
    {
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await _h.FailedAsync(Order, attempt: 1, retryable: false, error: "HTTP 400: line 1 quantity does not match the purchase order");

        var refused = await _h.IntakeInAsync(Order, "AcknowledgementRefused");
        Assert.Equal("The marketplace refused the acknowledgment: HTTP 400: line 1 quantity does not match the purchase order", refused.Reason);
        Assert.Equal((null, null, null), (refused.AcknowledgementDueAt, refused.WarningAt, refused.NextAttemptAt));
        var alert = await _h.AlertAsync(Order, MarketplaceAlertKind.AcknowledgementRefused);
        Assert.Equal(
            (Walmart, "PO-1", 1, "Attempt 1: HTTP 400: line 1 quantity does not match the purchase order", SagaHarness.Start.AddHours(4), SagaHarness.Start.AddMinutes(1)),
            (alert.Marketplace, alert.MarketplaceOrderId, alert.Attempts, alert.LastError, alert.AcknowledgeBy, alert.RaisedAt));
        Assert.Equal((10, 2, 0, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(5)));

        await _h.OperatorRetriesAsync(Order);

        await _h.AckRequestAsync(Order, attempt: 2);
        var handed = await _h.HandedOverAsync(Order, attempt: 2);

        // Handed over, the order no longer says it was refused (every line was accepted: nothing to say).
        Assert.Null(handed.Reason);
        var announced = await _h.AnnouncedAsync(Order, "HandedOver");
        Assert.Equal(("AcknowledgementRefused", null), (announced.PreviousStatus, announced.Reason));
        await _h.OrderInAsync(Order, "Fulfilling");
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_order_unacknowledged_at_three_quarters_of_the_window_raises_a_warning_and_keeps_waiting()
    {
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(2.9)));
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(0.1)));

        var warned = await _h.IntakeWhenAsync(Order, s => s.WarnedAt is not null, "the warning");
        Assert.Equal((Awaiting, Start.AddHours(3), null, Start.AddHours(4)), (warned.CurrentState, warned.WarnedAt, warned.WarningAt, warned.AcknowledgementDueAt));
        var alert = await _h.AlertAsync(Order, MarketplaceAlertKind.AcknowledgementLate);
        Assert.Equal((SagaHarness.Start.AddHours(4), 1, null), (alert.AcknowledgeBy, alert.Attempts, alert.LastError));

        await _h.HandedOverAsync(Order);
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task A_missed_deadline_alerts_operators_keeps_the_stock_held_and_a_late_acknowledgment_still_hands_over()
    {
        await _h.FailureRecordedAsync(Order, attempt: 1);
        Assert.Equal(2, await _h.AdvanceAsync(TimeSpan.FromHours(3))); // the second attempt and the warning fall due together
        await _h.IntakeWhenAsync(Order, s => s.WarnedAt is not null && s.Attempts == 2, "the warning and the second attempt");

        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(1))); // attempt 2 went unanswered

        var overdue = await _h.IntakeInAsync(Order, "AcknowledgementOverdue");
        Assert.Equal((Start.AddHours(4), null, null, null), (overdue.DeadlineMissedAt, overdue.AcknowledgementDueAt, overdue.WarningAt, overdue.NextAttemptAt));
        Assert.Equal(Start.AddHours(4), overdue.AcknowledgeBy);
        Assert.Equal("Not acknowledged by 2026-11-23 13:00:00Z after 2 attempt(s); last error: Attempt 1: HTTP 503: service unavailable.", overdue.Reason);
        var alert = await _h.AlertAsync(Order, MarketplaceAlertKind.DeadlineMissed);
        Assert.Equal((2, "Attempt 1: HTTP 503: service unavailable", SagaHarness.Start.AddHours(4)), (alert.Attempts, alert.LastError, alert.RaisedAt));
        Assert.Equal((10, 2, 0, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal(Awaiting, (await _h.AnnouncedAsync(Order, "AcknowledgementOverdue")).PreviousStatus);

        // Automatic attempts have stopped: a retryable failure of attempt 2 is recorded but schedules nothing.
        var after = await _h.FailureRecordedAsync(Order, attempt: 2);
        Assert.Equal(("AcknowledgementOverdue", null), (after.CurrentState, after.NextAttemptAt));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromMinutes(10)));
        Assert.Equal(2, _h.Delivered<AcknowledgeMarketplaceOrder>(m => m.OrderId == Order).Count);

        // The marketplace took attempt 2 after all.
        Assert.Null((await _h.HandedOverAsync(Order, attempt: 2)).Reason);
        await _h.OrderInAsync(Order, "Fulfilling");
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_marketplace_that_cancels_an_overdue_order_gets_the_held_units_back_on_sale()
    {
        await OverdueAsync();
        Assert.Equal((10, 2, 0, 8), await _h.SkuBucketsAsync(A, Dc1));

        await _h.MarketplaceCancelsAsync(Order, "not acknowledged in time");

        var cancelled = await _h.IntakeInAsync(Order, "Cancelled");
        Assert.Equal(("Cancelled by the marketplace: not acknowledged in time", Start.AddHours(4)), (cancelled.Reason, cancelled.CancelledAt));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal("AcknowledgementOverdue", (await _h.AnnouncedAsync(Order, "Cancelled")).PreviousStatus);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_operator_retry_after_the_deadline_makes_a_new_attempt()
    {
        await OverdueAsync();

        await _h.OperatorRetriesAsync(Order);

        var second = await _h.AckRequestAsync(Order, attempt: 2);
        Assert.Equal(SagaHarness.Start.AddHours(4), second.AcknowledgeBy);
        var retried = await _h.IntakeWhenAsync(Order, s => s.Attempts == 2, "the operator's attempt");
        Assert.Equal(("AcknowledgementOverdue", Start.AddHours(4)), (retried.CurrentState, retried.LastAttemptAt));
        await _h.HandedOverAsync(Order, attempt: 2);
    }

    [Fact]
    public async Task An_operator_retry_of_an_order_already_handed_over_is_refused()
    {
        await _h.HandedOverAsync(Order);

        await _h.OperatorRetriesAsync(Order);

        var refusal = await _h.PublishedAsync<OrderEventRefused>(m => m.OrderId == Order && m.Flow == OrderFlow.MarketplaceOrderIntake);
        Assert.Equal((nameof(MarketplaceOrderStateMachine.RetryRequested), "HandedOver"), (refusal.Event, refusal.State));
        Assert.Single(_h.Delivered<AcknowledgeMarketplaceOrder>(m => m.OrderId == Order));
    }

    /// <summary>Lets the warning and then the deadline pass, each alone (no attempt falls due), and returns the overdue intake.</summary>
    private async Task<MarketplaceOrderState> OverdueAsync()
    {
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(3)));
        await _h.AlertAsync(Order, MarketplaceAlertKind.AcknowledgementLate);
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(1)));
        return await _h.IntakeInAsync(Order, "AcknowledgementOverdue");
    }
}
