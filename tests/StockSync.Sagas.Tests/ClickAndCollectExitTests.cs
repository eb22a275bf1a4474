using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Sagas.ClickAndCollect;
using static StockSync.Sagas.Tests.ClickAndCollectDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The Released and Collected exits: hold expiry (and stale hold events), cancellation from every state, cancellation
/// racing collection, the pickup reminder and the end of the pickup window, under the fake clock and the sweeper.
/// </summary>
public sealed class ClickAndCollectExitTests : IAsyncLifetime
{
    private const string Store = "STORE-A";
    private const string CancelReason = "Cancelled by service-desk: customer changed their mind";
    private static readonly DateTime Start = SagaHarness.Start.UtcDateTime;
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.StoreAsync(Store, 51.5074, -0.1278);
        await _h.ReceiveAsync(Sku, Store, 5);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_hold_expiry_that_arrives_after_payment_is_ignored_and_the_allocation_stays()
    {
        var reserved = await _h.ReservedAsync("CC-E1", Store);
        var holdDue = reserved.HoldExpiresAt!.Value;
        var picking = await _h.PayAsync("CC-E1");

        // Past the old hold: the column was cleared by the payment, so the sweeper finds nothing due.
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromMinutes(16)));

        // The event of a sweep that raced the payment arrives late, carrying the old due time.
        await _h.PublishAsync(new PickupHoldExpired(reserved.CorrelationId, holdDue));
        await _h.ConsumedAsync<PickupHoldExpired>(e => e.CorrelationId == reserved.CorrelationId);

        // A message that is refused in Picking: once its refusal is delivered, the stale event has long been handled.
        await _h.PublishAsync(_h.Collected("CC-E1", Store));
        await _h.RefusalAsync("CC-E1", nameof(OrderCollected));
        var after = await _h.Saga("CC-E1");
        Assert.Equal(("Picking", picking.Version, "CC-E1-P1", (DateTime?)null), (after.CurrentState, after.Version, after.ShipmentId, after.HoldExpiresAt));
        Assert.Equal((5, 0, 2, 3), await _h.BucketsAsync(Store));
        Assert.DoesNotContain(_h.Delivered<OrderEventRefused>(m => m.OrderId == "CC-E1"), m => m.Event == nameof(PickupHoldExpired));
        Assert.Empty(_h.Delivered<FulfillmentCancelled>(m => m.OrderId == "CC-E1"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_hold_expiry_for_a_due_time_the_order_no_longer_has_is_ignored_and_the_current_hold_still_expires()
    {
        var reserved = await _h.ReservedAsync("CC-E2", Store);

        await _h.PublishAsync(new PickupHoldExpired(reserved.CorrelationId, reserved.HoldExpiresAt!.Value.AddMinutes(-5)));
        await _h.ConsumedAsync<PickupHoldExpired>(e => e.CorrelationId == reserved.CorrelationId);
        var still = await _h.Saga("CC-E2");
        Assert.Equal(("Reserved", reserved.Version, reserved.HoldExpiresAt), (still.CurrentState, still.Version, still.HoldExpiresAt));
        Assert.Equal((5, 2, 0, 3), await _h.BucketsAsync(Store));

        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromMinutes(15)));
        var released = await _h.InState("CC-E2", "Released");
        Assert.Equal("The hold expired unpaid.", released.Reason);
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        var status = await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-E2" && m.Status == "Released");
        Assert.Equal(("Reserved", Store, "The hold expired unpaid."), (status.PreviousStatus, status.LocationId, status.Reason));
        Assert.Equal(["HOLD_EXPIRED"], (await _h.OrderLedgerAsync("CC-E2")).Where(e => e.MovementType == "ReservationReleased").Select(e => e.ReasonCode));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_payment_that_arrives_after_the_hold_expired_is_refused_so_it_can_be_refunded()
    {
        await _h.ReservedAsync("CC-E3", Store);
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromMinutes(15)));
        await _h.InState("CC-E3", "Released");

        await _h.PublishAsync(new PaymentConfirmed { OrderId = "CC-E3", ConfirmedAt = _h.Clock.GetUtcNow() });

        var refused = await _h.RefusalAsync("CC-E3", nameof(PaymentConfirmed));
        Assert.Equal(("Released", "PaymentConfirmed is not allowed while the order is Released.", OrderFlow.ClickAndCollect), (refused.State, refused.Reason, refused.Flow));
        var saga = await _h.Saga("CC-E3");
        Assert.Equal(("Released", (DateTime?)null, (string?)null), (saga.CurrentState, saga.PaidAt, saga.ShipmentId));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        Assert.Empty(_h.Delivered<FulfillmentRequested>(m => m.OrderId == "CC-E3"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Cancelling_a_reserved_order_releases_the_reservation_and_answers_cancelled()
    {
        await _h.ReservedAsync("CC-E4", Store);
        Assert.Equal((5, 2, 0, 3), await _h.BucketsAsync(Store));

        await _h.PublishAsync(_h.Cancel("CC-E4"));

        var released = await _h.InState("CC-E4", "Released");
        Assert.Equal((CancelReason, (DateTime?)null), (released.Reason, released.HoldExpiresAt));
        var answer = await _h.CancellationAnswerAsync("CC-E4");
        Assert.Equal((CancellationOutcome.Cancelled, (string?)null, 0), (answer.Outcome, answer.RefusalReason, answer.Refused.Count));
        Assert.Equal([(Sku, 2)], answer.Released.Select(l => (l.Sku, l.Quantity)));
        var status = await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-E4" && m.Status == "Released");
        Assert.Equal(("Reserved", CancelReason), (status.PreviousStatus, status.Reason));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        Assert.Equal(["CANCELLED"], (await _h.OrderLedgerAsync("CC-E4")).Where(e => e.MovementType == "ReservationReleased").Select(e => e.ReasonCode));
        // The store was never asked to pick, so it is not told to stop; and the old hold no longer falls due.
        Assert.Empty(_h.Delivered<FulfillmentCancelled>(m => m.OrderId == "CC-E4"));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromMinutes(15)));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData("Picking")]
    [InlineData("Picked")]
    [InlineData("ReadyForPickup")]
    public async Task Cancelling_a_paid_order_releases_the_allocation_and_tells_the_store_to_stop(string state)
    {
        var orderId = $"CC-E5-{state}";
        await (state switch
        {
            "Picking" => _h.PickingAsync(orderId, Store),
            "Picked" => _h.PickedAsync(orderId, Store),
            _ => _h.ReadyAsync(orderId, Store),
        });
        Assert.Equal((5, 0, 2, 3), await _h.BucketsAsync(Store));

        await _h.PublishAsync(_h.Cancel(orderId));

        var released = await _h.InState(orderId, "Released");
        Assert.Equal(CancelReason, released.Reason);
        Assert.Equal((null, null, null), (released.HoldExpiresAt, released.PickupReminderAt, released.PickupWindowEndsAt));
        var answer = await _h.CancellationAnswerAsync(orderId);
        Assert.Equal((CancellationOutcome.Cancelled, 0), (answer.Outcome, answer.Refused.Count));
        Assert.Equal([(Sku, 2)], answer.Released.Select(l => (l.Sku, l.Quantity)));
        var stop = await _h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == orderId);
        Assert.Equal(($"{orderId}-P1", Store, CancelReason), (stop.ShipmentId, stop.LocationId, stop.Reason));
        var status = await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == orderId && m.Status == "Released");
        Assert.Equal((state, CancelReason), (status.PreviousStatus, status.Reason));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        await _h.PublishedAsync<AvailabilityChanged>(m => m.Sku == Sku && m.LocationId == Store && m.AvailableToSell == 5);
        Assert.Equal(["CANCELLED"], (await _h.OrderLedgerAsync(orderId)).Where(e => e.MovementType == "AllocationReleased").Select(e => e.ReasonCode));
        // No deadline of the cancelled order is left to fall due.
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(73)));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Cancelling_a_collected_order_is_refused_as_a_return_and_releases_nothing()
    {
        await _h.CollectedAsync("CC-E6", Store);
        Assert.Equal((3, 0, 0, 3), await _h.BucketsAsync(Store));

        await _h.PublishAsync(_h.Cancel("CC-E6"));

        var answer = await _h.CancellationAnswerAsync("CC-E6");
        Assert.Equal((CancellationOutcome.Refused, "The order was already collected: handle it as a return."), (answer.Outcome, answer.RefusalReason));
        Assert.Empty(answer.Released);
        Assert.Equal([(Sku, 2)], answer.Refused.Select(l => (l.Sku, l.Quantity)));
        Assert.Equal("Collected", (await _h.Saga("CC-E6")).CurrentState);
        Assert.Equal((3, 0, 0, 3), await _h.BucketsAsync(Store));
        Assert.Empty(_h.Delivered<FulfillmentCancelled>(m => m.OrderId == "CC-E6"));
        Assert.DoesNotContain(await _h.OrderLedgerAsync("CC-E6"), e => e.MovementType == "AllocationReleased");
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData("Released")]
    [InlineData("Rejected")]
    public async Task Cancelling_an_order_that_already_ended_is_refused_and_changes_nothing(string state)
    {
        var orderId = $"CC-E7-{state}";
        if (state == "Released")
        {
            await _h.ReservedAsync(orderId, Store);
            Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromMinutes(15)));
        }
        else
        {
            await _h.PublishAsync(Reserve(orderId, Store, (Sku, 6)));
        }

        var ended = await _h.InState(orderId, state);
        var ledgerBefore = (await _h.OrderLedgerAsync(orderId)).Count;

        await _h.PublishAsync(_h.Cancel(orderId));

        var answer = await _h.CancellationAnswerAsync(orderId);
        Assert.Equal((CancellationOutcome.Refused, $"The order has already ended ({state}): nothing is held for it."), (answer.Outcome, answer.RefusalReason));
        Assert.Empty(answer.Released);
        Assert.Empty(answer.Refused);
        var after = await _h.Saga(orderId);
        Assert.Equal((state, ended.Reason, ended.Version), (after.CurrentState, after.Reason, after.Version));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        Assert.Equal(ledgerBefore, (await _h.OrderLedgerAsync(orderId)).Count);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_cancellation_that_arrives_after_collection_is_refused_and_the_units_stay_shipped()
    {
        await _h.ReadyAsync("CC-E8", Store);

        await _h.PublishAsync(_h.Collected("CC-E8", Store));
        await _h.InState("CC-E8", "Collected");
        await _h.PublishAsync(_h.Cancel("CC-E8"));

        var answer = await _h.CancellationAnswerAsync("CC-E8");
        Assert.Equal(CancellationOutcome.Refused, answer.Outcome);
        Assert.Contains("handle it as a return", answer.RefusalReason, StringComparison.Ordinal);
        var saga = await _h.Saga("CC-E8");
        Assert.Equal(("Collected", Start), (saga.CurrentState, saga.CollectedAt));
        Assert.Equal((3, 0, 0, 3), await _h.BucketsAsync(Store));
        var shipped = (await _h.OrderLedgerAsync("CC-E8")).Where(e => e.MovementType == "FulfillmentShipped").ToList();
        Assert.Equal([(-2, -2)], shipped.Select(e => (e.OnHandDelta, e.AllocatedDelta)));
        Assert.Empty(_h.Delivered<FulfillmentCancelled>(m => m.OrderId == "CC-E8"));
        var posting = await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "CC-E8");
        Assert.Equal(("pickup:CC-E8", "Shipment", Store), (posting.PostingId, posting.Kind, posting.LocationId));
        Assert.Equal(shipped.Sum(e => -e.OnHandDelta), posting.Lines.Sum(l => l.Quantity));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_collection_that_arrives_after_cancellation_is_refused_and_the_units_stay_on_the_shelf()
    {
        await _h.ReadyAsync("CC-E9", Store);

        await _h.PublishAsync(_h.Cancel("CC-E9"));
        await _h.InState("CC-E9", "Released");
        await _h.PublishAsync(_h.Collected("CC-E9", Store));

        var refused = await _h.RefusalAsync("CC-E9", nameof(OrderCollected));
        Assert.Equal(("Released", "OrderCollected is not allowed while the order is Released."), (refused.State, refused.Reason));
        var answer = await _h.CancellationAnswerAsync("CC-E9");
        Assert.Equal(CancellationOutcome.Cancelled, answer.Outcome);
        await _h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == "CC-E9" && m.LocationId == Store);
        var saga = await _h.Saga("CC-E9");
        Assert.Equal(("Released", (DateTime?)null), (saga.CurrentState, saga.CollectedAt));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        Assert.DoesNotContain(await _h.OrderLedgerAsync("CC-E9"), e => e.MovementType == "FulfillmentShipped");
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task The_pickup_reminder_is_published_once_when_its_time_comes()
    {
        var ready = await _h.ReadyAsync("CC-E10", Store);
        Assert.Equal((Start.AddHours(48), Start.AddHours(72)), (ready.PickupReminderAt, ready.PickupWindowEndsAt));

        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(48) - TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromMinutes(1)));

        var reminder = await _h.PublishedAsync<PickupReminderDue>(m => m.OrderId == "CC-E10");
        Assert.Equal((Store, SagaHarness.Start.AddHours(72)), (reminder.StoreId, reminder.PickupWindowEndsAt));
        var reminded = await _h.WaitForAsync<ClickAndCollectState>("CC-E10", s => s.PickupReminderAt is null, "the reminder column cleared");
        Assert.Equal(("ReadyForPickup", Start.AddHours(72)), (reminded.CurrentState, reminded.PickupWindowEndsAt));
        Assert.Equal((5, 0, 2, 3), await _h.BucketsAsync(Store));

        // The next sweep finds nothing; a duplicate of the sweeper's event (same due time) is ignored.
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(1)));
        await _h.PublishAsync(new PickupReminderElapsed(ready.CorrelationId, ready.PickupReminderAt!.Value));
        await _h.ConsumedAsync<PickupReminderElapsed>(e => e.CorrelationId == ready.CorrelationId && e.DueAt == ready.PickupReminderAt);
        var unchanged = await _h.Saga("CC-E10");
        Assert.Equal(reminded.Version, unchanged.Version);

        // The window still ends on time; by then one reminder was sent, never two.
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(23)));
        await _h.InState("CC-E10", "Released");
        await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-E10" && m.Status == "Released");
        Assert.Single(_h.Delivered<PickupReminderDue>(m => m.OrderId == "CC-E10"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task With_no_pickup_reminder_configured_an_order_ready_for_pickup_only_has_its_window(string? setting)
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Orders:PickupReminderAfter"] = setting });
        await h.StoreAsync(Store);
        await h.ReceiveAsync(Sku, Store, 5);

        var ready = await h.ReadyAsync("CC-E11", Store);

        Assert.Null(ready.PickupReminderAt);
        Assert.Equal(Start.AddHours(72), ready.PickupWindowEndsAt);
        Assert.Equal(0, await h.AdvanceAsync(TimeSpan.FromHours(72) - TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await h.AdvanceAsync(TimeSpan.FromMinutes(1)));
        await h.InState("CC-E11", "Released");
        await h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-E11" && m.Status == "Released");
        Assert.Empty(h.Delivered<PickupReminderDue>(m => m.OrderId == "CC-E11"));
    }

    [Fact]
    public async Task An_uncollected_order_is_released_when_the_pickup_window_ends_and_its_units_go_back_on_sale()
    {
        await _h.ReadyAsync("CC-E12", Store);
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(48)));
        await _h.PublishedAsync<PickupReminderDue>(m => m.OrderId == "CC-E12");

        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1)));
        Assert.Equal("ReadyForPickup", (await _h.Saga("CC-E12")).CurrentState);
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromMinutes(1)));

        const string reason = "The pickup window expired uncollected: the units are back on sale.";
        var released = await _h.InState("CC-E12", "Released");
        Assert.Equal((reason, (DateTime?)null, (DateTime?)null), (released.Reason, released.PickupWindowEndsAt, released.PickupReminderAt));
        var stop = await _h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == "CC-E12");
        Assert.Equal(("CC-E12-P1", Store, reason), (stop.ShipmentId, stop.LocationId, stop.Reason));
        var status = await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-E12" && m.Status == "Released");
        Assert.Equal(("ReadyForPickup", reason), (status.PreviousStatus, status.Reason));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        await _h.PublishedAsync<AvailabilityChanged>(m => m.Sku == Sku && m.LocationId == Store && m.AvailableToSell == 5);
        Assert.Equal(["PICKUP_EXPIRED"], (await _h.OrderLedgerAsync("CC-E12")).Where(e => e.MovementType == "AllocationReleased").Select(e => e.ReasonCode));
        Assert.Empty(_h.Delivered<OrderCancellationProcessed>(m => m.OrderId == "CC-E12"));

        // The customer turns up too late: the handover is refused, the units stay on sale.
        await _h.PublishAsync(_h.Collected("CC-E12", Store));
        var refused = await _h.RefusalAsync("CC-E12", nameof(OrderCollected));
        Assert.Equal("Released", refused.State);
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(Store));
        await _h.AssertLedgerMatchesPositionsAsync();
    }
}
