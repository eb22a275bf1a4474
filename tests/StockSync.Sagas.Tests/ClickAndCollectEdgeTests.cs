using StockSync.Contracts.Orders;
using StockSync.Ledger;
using StockSync.Sagas.ClickAndCollect;
using static StockSync.Sagas.Tests.ClickAndCollectDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Edges of the click-and-collect flow: a location that does not offer pickup, re-sourcing measured from the
/// customer's store, and a reminder that falls due together with the end of the pickup window.
/// </summary>
public sealed class ClickAndCollectEdgeTests
{
    [Fact]
    public async Task An_order_for_a_location_that_does_not_offer_pickup_is_rejected_naming_stores_that_do()
    {
        await using var h = await SagaHarness.StartAsync();
        await h.DistributionCenterAsync("DC-1");
        await h.LocationAsync("STORE-F", "Store", new LocationFulfillment(51.5100, -0.1300, OffersPickup: false));
        await h.StoreAsync("STORE-B", 51.6565, -0.3903);
        await h.ReceiveAsync(Sku, "DC-1", 50);
        await h.ReceiveAsync(Sku, "STORE-F", 5);
        await h.ReceiveAsync(Sku, "STORE-B", 5);

        await h.PublishAsync(Reserve("CC-X1", "DC-1"));
        await h.PublishAsync(Reserve("CC-X2", "STORE-F"));

        var dc = await h.InState("CC-X1", "Rejected");
        Assert.Equal("DC-1 (DistributionCenter) does not offer pickup.", dc.Reason);
        Assert.Equal(["STORE-B"], dc.Alternatives.Select(a => a.StoreId));
        var store = await h.InState("CC-X2", "Rejected");
        Assert.Equal("STORE-F (Store) does not offer pickup.", store.Reason);
        Assert.Equal((50, 0, 0, 50), await h.BucketsAsync("DC-1"));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("STORE-F"));
        Assert.Empty(await h.OrderLedgerAsync("CC-X1"));
        Assert.Empty(await h.OrderLedgerAsync("CC-X2"));
    }

    [Fact]
    public async Task A_re_sourced_order_goes_to_the_store_nearest_the_customers_choice_not_the_store_that_short_picked()
    {
        await using var h = await SagaHarness.StartAsync();
        await h.StoreAsync("STORE-A", 51.50, -0.12); // the customer's choice
        await h.StoreAsync("STORE-B", 51.60, -0.12); // 11.1 km north of A
        await h.StoreAsync("STORE-C", 51.70, -0.12); // 22.2 km from A, 11.1 km from B
        await h.StoreAsync("STORE-D", 51.47, -0.12); // 3.3 km from A, 14.5 km from B
        await h.ReceiveAsync(Sku, "STORE-A", 2);
        await h.ReceiveAsync(Sku, "STORE-B", 2);
        await h.PickingAsync("CC-X3", "STORE-A");
        await h.PublishAsync(h.ShortPick("CC-X3", "STORE-A", (Sku, 2)));
        await h.WaitForAsync<ClickAndCollectState>("CC-X3", s => s.StoreId == "STORE-B", "re-sourced to STORE-B");

        // Stock arrives at C and D; STORE-B short-picks in turn. C is nearer B, D is nearer the customer.
        await h.ReceiveAsync(Sku, "STORE-C", 2);
        await h.ReceiveAsync(Sku, "STORE-D", 2);
        await h.PublishAsync(h.ShortPick("CC-X3", "STORE-B", (Sku, 1)));

        var moved = await h.WaitForAsync<ClickAndCollectState>("CC-X3", s => s.Attempt == 3, "the second re-sourcing");
        Assert.Equal(("STORE-D", "STORE-A"), (moved.StoreId, moved.RequestedStoreId));
        Assert.Equal((2, 0, 2, 0), await h.BucketsAsync("STORE-D"));
        Assert.Equal((2, 0, 0, 2), await h.BucketsAsync("STORE-C"));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_reminder_found_due_only_after_the_window_closed_is_not_sent_and_the_order_is_released()
    {
        await using var h = await SagaHarness.StartAsync();
        await h.StoreAsync("STORE-A", 51.50, -0.12);
        await h.ReceiveAsync(Sku, "STORE-A", 5);
        await h.ReadyAsync("CC-X4", "STORE-A");

        // The host was down through the reminder and the end of the window: one sweep finds both due.
        Assert.Equal(2, await h.AdvanceAsync(TimeSpan.FromHours(73)));

        var released = await h.InState("CC-X4", "Released");
        Assert.Equal("The pickup window expired uncollected: the units are back on sale.", released.Reason);
        await h.ConsumedAsync<PickupReminderElapsed>(e => e.CorrelationId == released.CorrelationId);
        Assert.Empty(h.Delivered<PickupReminderDue>(m => m.OrderId == "CC-X4"));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("STORE-A"));
    }
}
