using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Sagas.ClickAndCollect;

namespace StockSync.Sagas.Tests;

/// <summary>The click-and-collect machine from reservation to collection, and its hold expiry, in the test harness.</summary>
public sealed class ClickAndCollectLifecycleTests : IAsyncLifetime
{
    private const string Sku = "SKU-1";
    private const string Store = "STORE-A";
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.StoreAsync(Store, 51.50, -0.12);
        await _h.ReceiveAsync(Sku, Store, 5);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task An_order_runs_from_reservation_to_collection_with_the_buckets_right_at_every_step()
    {
        await _h.PublishAsync(Reserve("CC-1", quantity: 2));
        var reserved = await _h.WaitForStateAsync<ClickAndCollectState>("CC-1", "Reserved");
        Assert.Equal(SagaHarness.Start.UtcDateTime.AddMinutes(15), reserved.HoldExpiresAt);
        Assert.Equal((5, 2, 0, 3), Buckets(await _h.PositionAsync(Sku, Store)));
        await _h.PublishedAsync<ClickAndCollectReserved>(m => m.OrderId == "CC-1");
        await _h.PublishedAsync<AvailabilityChanged>(m => m.Sku == Sku && m.AvailableToSell == 3);

        await _h.PublishAsync(new PaymentConfirmed { OrderId = "CC-1", ConfirmedAt = _h.Clock.GetUtcNow() });
        var picking = await _h.WaitForStateAsync<ClickAndCollectState>("CC-1", "Picking");
        Assert.Null(picking.HoldExpiresAt);
        Assert.Equal((5, 0, 2, 3), Buckets(await _h.PositionAsync(Sku, Store)));
        var request = await _h.PublishedAsync<FulfillmentRequested>(m => m.OrderId == "CC-1");
        Assert.Equal((Store, FulfillmentKind.StorePickup, "CC-1-P1"), (request.LocationId, request.Kind, request.ShipmentId));

        await _h.PublishAsync(new OrderPicked { OrderId = "CC-1", LocationId = Store, PickedAt = _h.Clock.GetUtcNow() });
        await _h.WaitForStateAsync<ClickAndCollectState>("CC-1", "Picked");

        await _h.PublishAsync(new OrderReadyForPickup { OrderId = "CC-1", StoreId = Store, ReadyAt = _h.Clock.GetUtcNow() });
        var ready = await _h.WaitForStateAsync<ClickAndCollectState>("CC-1", "ReadyForPickup");
        Assert.Equal(SagaHarness.Start.UtcDateTime.AddHours(72), ready.PickupWindowEndsAt);
        Assert.Equal(SagaHarness.Start.UtcDateTime.AddHours(48), ready.PickupReminderAt);

        await _h.PublishAsync(new OrderCollected { OrderId = "CC-1", StoreId = Store, HandoverId = "POS-1", CollectedAt = _h.Clock.GetUtcNow() });
        var collected = await _h.WaitForStateAsync<ClickAndCollectState>("CC-1", "Collected");
        Assert.Null(collected.PickupWindowEndsAt);
        Assert.Null(collected.PickupReminderAt);
        Assert.Equal((3, 0, 0, 3), Buckets(await _h.PositionAsync(Sku, Store)));

        foreach (var status in new[] { "Reserved", "Picking", "Picked", "ReadyForPickup", "Collected" })
        {
            await _h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-1" && m.Status == status);
        }

        // Each step's events leave in their own outbox conversation, so delivery order across steps is not promised;
        // the chain of PreviousStatus → Status is.
        var transitions = _h.Delivered<OrderStatusChanged>(m => m.OrderId == "CC-1").Select(m => (m.PreviousStatus, m.Status)).ToHashSet();
        Assert.Equal(
            [(string.Empty, "Reserved"), ("Reserved", "Picking"), ("Picking", "Picked"), ("Picked", "ReadyForPickup"), ("ReadyForPickup", "Collected")],
            transitions.OrderBy(t => t.Status == "Reserved" ? 0 : t.Status == "Picking" ? 1 : t.Status == "Picked" ? 2 : t.Status == "ReadyForPickup" ? 3 : 4));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_unpaid_hold_expires_when_the_sweeper_finds_it_due_and_gives_the_units_back()
    {
        await _h.PublishAsync(Reserve("CC-2", quantity: 3));
        await _h.WaitForStateAsync<ClickAndCollectState>("CC-2", "Reserved");

        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromMinutes(14)));
        Assert.Equal("Reserved", (await _h.SagaAsync<ClickAndCollectState>("CC-2"))!.CurrentState);

        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromMinutes(1)));
        var released = await _h.WaitForStateAsync<ClickAndCollectState>("CC-2", "Released");
        Assert.Null(released.HoldExpiresAt);
        Assert.Equal("The hold expired unpaid.", released.Reason);
        Assert.Equal((5, 0, 0, 5), Buckets(await _h.PositionAsync(Sku, Store)));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    private static ReserveForPickup Reserve(string orderId, int quantity, string store = Store) => new()
    {
        OrderId = orderId,
        StoreId = store,
        Lines = [new OrderLine { Sku = Sku, Quantity = quantity }],
        ChannelId = "web",
        RequestedAt = SagaHarness.Start,
    };

    private static (int OnHand, int Reserved, int Allocated, int Ats) Buckets(StockSync.Inventory.StockPosition p) => (p.OnHand, p.Reserved, p.Allocated, p.AvailableToSell);
}
