using StockSync.Contracts.Orders;
using StockSync.Sagas.ClickAndCollect;
using static StockSync.Sagas.Tests.ClickAndCollectDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Messages the click-and-collect machine cannot act on: a second order with the same id, store actions from a store
/// the order is not at, actions the current state does not allow. Each is answered with <see cref="OrderEventRefused"/>
/// and the reason, and changes neither the order nor the stock.
/// </summary>
public sealed class ClickAndCollectRefusalTests : IAsyncLifetime
{
    private const string Store = "STORE-A";
    private const string OtherStore = "STORE-B";
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.StoreAsync(Store, 51.5074, -0.1278);
        await _h.StoreAsync(OtherStore, 51.6565, -0.3903);
        await _h.ReceiveAsync(Sku, Store, 5);
        await _h.ReceiveAsync(Sku, OtherStore, 5);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_second_ReserveForPickup_for_an_existing_order_is_refused_and_leaves_the_order_as_it_was()
    {
        var first = await _h.ReservedAsync("CC-F1", Store);
        await _h.PublishedAsync<ClickAndCollectReserved>(m => m.OrderId == "CC-F1");

        await _h.PublishAsync(Reserve("CC-F1", OtherStore, (Sku, 1)));

        var refused = await _h.RefusalAsync("CC-F1", nameof(ReserveForPickup));
        Assert.Equal(("Reserved", "ReserveForPickup is not allowed while the order is Reserved.", OrderFlow.ClickAndCollect), (refused.State, refused.Reason, refused.Flow));
        var after = await _h.Saga("CC-F1");
        Assert.Equal((first.Version, Store, first.HoldExpiresAt, first.ReservationId), (after.Version, after.StoreId, after.HoldExpiresAt, after.ReservationId));
        Assert.Equal([(Sku, 2)], after.Lines.Select(l => (l.Sku, l.Quantity)));
        Assert.Equal((5, 2, 0, 3), await _h.BucketsAsync(Store));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(OtherStore));
        Assert.Single(_h.Delivered<ClickAndCollectReserved>(m => m.OrderId == "CC-F1"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Retrying_a_rejected_order_id_at_another_store_is_refused_so_the_customer_needs_a_new_order()
    {
        await _h.PublishAsync(Reserve("CC-F2", Store, (Sku, 6)));
        var rejected = await _h.InState("CC-F2", "Rejected");

        await _h.PublishAsync(Reserve("CC-F2", OtherStore, (Sku, 1)));

        var refused = await _h.RefusalAsync("CC-F2", nameof(ReserveForPickup));
        Assert.Equal(("Rejected", "ReserveForPickup is not allowed while the order is Rejected."), (refused.State, refused.Reason));
        var after = await _h.Saga("CC-F2");
        Assert.Equal((rejected.Version, Store, rejected.Reason), (after.Version, after.StoreId, after.Reason));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(OtherStore));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData(nameof(OrderPicked), "Picking")]
    [InlineData(nameof(OrderReadyForPickup), "Picked")]
    [InlineData(nameof(OrderCollected), "ReadyForPickup")]
    public async Task A_store_action_from_a_store_the_order_is_not_at_is_refused(string action, string state)
    {
        var orderId = $"CC-F3-{action}";
        var before = await DriveToAsync(orderId, state);

        await _h.Harness.Bus.Publish(StoreAction(action, orderId, OtherStore));

        var refused = await _h.RefusalAsync(orderId, action);
        Assert.Equal((state, $"{action} came from STORE-B, but the order is at STORE-A."), (refused.State, refused.Reason));
        await AssertUnchangedAsync(orderId, before, allocated: 2);
    }

    [Theory]
    [InlineData(nameof(OrderCollected), "Picking")]
    [InlineData(nameof(PaymentConfirmed), "Picking")]
    [InlineData(nameof(OrderPicked), "Reserved")]
    [InlineData(nameof(OrderReadyForPickup), "Reserved")]
    [InlineData(nameof(OrderShortPicked), "Picked")]
    [InlineData(nameof(OrderPicked), "ReadyForPickup")]
    [InlineData(nameof(OrderReadyForPickup), "ReadyForPickup")]
    public async Task An_action_the_orders_state_does_not_allow_is_refused_naming_the_state(string action, string state)
    {
        var orderId = $"CC-F4-{action}-{state}";
        var before = await DriveToAsync(orderId, state);
        if (state == "ReadyForPickup")
        {
            _h.Clock.Advance(TimeSpan.FromHours(1)); // a repeated "ready" must not move the pickup window
        }

        await _h.Harness.Bus.Publish(StoreAction(action, orderId, Store));

        var refused = await _h.RefusalAsync(orderId, action);
        Assert.Equal((state, $"{action} is not allowed while the order is {state}."), (refused.State, refused.Reason));
        await AssertUnchangedAsync(orderId, before, allocated: state == "Reserved" ? 0 : 2);
    }

    [Fact]
    public async Task A_store_can_put_an_order_ready_straight_from_picking_and_the_window_starts_then()
    {
        await _h.PickingAsync("CC-F5", Store);
        _h.Clock.Advance(TimeSpan.FromHours(1));

        await _h.Harness.Bus.Publish(StoreAction(nameof(OrderReadyForPickup), "CC-F5", Store));

        var ready = await _h.InState("CC-F5", "ReadyForPickup");
        var readyAt = SagaHarness.Start.UtcDateTime.AddHours(1);
        Assert.Equal((readyAt, readyAt.AddHours(72), readyAt.AddHours(48)), (ready.ReadyAt, ready.PickupWindowEndsAt, ready.PickupReminderAt));
        var status = await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-F5" && m.Status == "ReadyForPickup");
        Assert.Equal(("Picking", Store), (status.PreviousStatus, status.LocationId));
        Assert.Equal((5, 0, 2, 3), await _h.BucketsAsync(Store));
    }

    [Fact]
    public async Task Pickup_window_events_the_order_no_longer_waits_for_are_ignored_without_a_refusal()
    {
        var ready = await _h.ReadyAsync("CC-F6", Store);
        var windowEnd = ready.PickupWindowEndsAt!.Value;

        // An event for another due time (a window since moved) does not end the current window.
        await _h.PublishAsync(new PickupWindowExpired(ready.CorrelationId, windowEnd.AddHours(-1)));
        await _h.ConsumedAsync<PickupWindowExpired>(e => e.CorrelationId == ready.CorrelationId);
        var still = await _h.Saga("CC-F6");
        Assert.Equal(("ReadyForPickup", ready.Version, windowEnd), (still.CurrentState, still.Version, still.PickupWindowEndsAt));

        // The sweeper's event raced the handover: it arrives after the collection and is ignored.
        await _h.PublishAsync(_h.Collected("CC-F6", Store));
        var collected = await _h.InState("CC-F6", "Collected");
        await _h.PublishAsync(new PickupWindowExpired(ready.CorrelationId, windowEnd));
        await _h.ConsumedAsync<PickupWindowExpired>(e => e.CorrelationId == ready.CorrelationId && e.DueAt == windowEnd);

        // A refused message afterwards: once its refusal is delivered, the late window event has long been handled.
        await _h.PublishAsync(_h.Collected("CC-F6", Store));
        await _h.RefusalAsync("CC-F6", nameof(OrderCollected));
        var after = await _h.Saga("CC-F6");
        Assert.Equal(("Collected", collected.Version), (after.CurrentState, after.Version));
        Assert.Equal((3, 0, 0, 3), await _h.BucketsAsync(Store));
        Assert.DoesNotContain(_h.Delivered<OrderEventRefused>(m => m.OrderId == "CC-F6"), m => m.Event == nameof(PickupWindowExpired));
        Assert.Empty(_h.Delivered<FulfillmentCancelled>(m => m.OrderId == "CC-F6"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    private Task<ClickAndCollectState> DriveToAsync(string orderId, string state) => state switch
    {
        "Reserved" => _h.ReservedAsync(orderId, Store),
        "Picking" => _h.PickingAsync(orderId, Store),
        "Picked" => _h.PickedAsync(orderId, Store),
        "ReadyForPickup" => _h.ReadyAsync(orderId, Store),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The message of a store action (published by its runtime type).</summary>
    private object StoreAction(string action, string orderId, string store) => action switch
    {
        nameof(PaymentConfirmed) => new PaymentConfirmed { OrderId = orderId, ConfirmedAt = _h.Clock.GetUtcNow() },
        nameof(OrderPicked) => new OrderPicked { OrderId = orderId, LocationId = store, PickedAt = _h.Clock.GetUtcNow() },
        nameof(OrderShortPicked) => _h.ShortPick(orderId, store, (Sku, 1)),
        nameof(OrderReadyForPickup) => new OrderReadyForPickup { OrderId = orderId, StoreId = store, ReadyAt = _h.Clock.GetUtcNow() },
        nameof(OrderCollected) => _h.Collected(orderId, store),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private async Task AssertUnchangedAsync(string orderId, ClickAndCollectState before, int allocated)
    {
        var after = await _h.Saga(orderId);
        Assert.Equal(
            (before.CurrentState, before.Version, before.StoreId, before.ShipmentId, before.HoldExpiresAt, before.PickupWindowEndsAt, before.PickupReminderAt),
            (after.CurrentState, after.Version, after.StoreId, after.ShipmentId, after.HoldExpiresAt, after.PickupWindowEndsAt, after.PickupReminderAt));
        Assert.Empty(after.ShortPickedAt);
        Assert.Equal((5, 2 - allocated, allocated, 3), await _h.BucketsAsync(Store));
        Assert.Equal((5, 0, 0, 5), await _h.BucketsAsync(OtherStore));
        await _h.AssertLedgerMatchesPositionsAsync();
    }
}
