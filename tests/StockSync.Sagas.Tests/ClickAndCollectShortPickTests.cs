using StockSync.Contracts.Orders;
using StockSync.Ledger;
using StockSync.Sagas.ClickAndCollect;
using static StockSync.Sagas.Tests.ClickAndCollectDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// A short pick in Picking: the order moves, whole, to the nearest other pickup store that has every line (staying in
/// Picking), or is released when none has; the short store's allocation is released and, by policy, the missing
/// units written off its on-hand.
/// </summary>
public sealed class ClickAndCollectShortPickTests
{
    private const string Sku2 = "SKU-2";
    private const string A = "STORE-A"; // London, the customer's choice
    private const string B = "STORE-B"; // Watford: 24.6 km from A
    private const string C = "STORE-C"; // Reading: 59.2 km from A, 46.4 km from B

    [Fact]
    public async Task A_short_pick_moves_the_order_to_the_nearest_store_that_has_every_line()
    {
        await using var h = await SagaHarness.StartAsync();
        await StoresAsync(h);
        await h.StoreAsync("STORE-G", 51.5200, -0.1200); // next door, but has no SKU-2
        await h.LocationAsync("STORE-F", "Store", new LocationFulfillment(51.5100, -0.1300, OffersPickup: false)); // next door, no pickup
        await StockAsync(h, A, 5, 5);
        await StockAsync(h, B, 4, 4);
        await StockAsync(h, C, 10, 10);
        await StockAsync(h, "STORE-F", 9, 9);
        await h.ReceiveAsync(Sku, "STORE-G", 9);
        await h.PickingAsync("CC-S1", A, (Sku, 2), (Sku2, 1));
        Assert.Equal((5, 0, 2, 3), await h.BucketsAsync(A));

        await h.PublishAsync(h.ShortPick("CC-S1", A, (Sku, 1)));

        const string reason = "Short pick at STORE-A (1 × SKU-1): re-sourced to STORE-B.";
        var moved = await h.WaitForAsync<ClickAndCollectState>("CC-S1", s => s.StoreId == B, "re-sourced to STORE-B");
        Assert.Equal(("Picking", A, 2, "CC-S1#2", "CC-S1-P2", reason), (moved.CurrentState, moved.RequestedStoreId, moved.Attempt, moved.ReservationId, moved.ShipmentId, moved.Reason));
        Assert.Equal([A], moved.ShortPickedAt);

        var request = await h.PublishedAsync<FulfillmentRequested>(m => m.OrderId == "CC-S1" && m.ShipmentId == "CC-S1-P2");
        Assert.Equal((B, FulfillmentKind.StorePickup), (request.LocationId, request.Kind));
        Assert.Equal([(Sku, 2), (Sku2, 1)], request.Lines.Select(l => (l.Sku, l.Quantity)));
        var stop = await h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == "CC-S1");
        Assert.Equal(("CC-S1-P1", A, "short pick (1 × SKU-1); the order is moved or cancelled"), (stop.ShipmentId, stop.LocationId, stop.Reason));
        var status = await h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-S1" && m.Reason == reason);
        Assert.Equal(("Picking", "Picking", B), (status.Status, status.PreviousStatus, status.LocationId));

        // The short store: allocation released, the missing unit written off the shelf. The new store: allocated.
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(A));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync(A, Sku2));
        Assert.Equal((4, 0, 2, 2), await h.BucketsAsync(B));
        Assert.Equal((4, 0, 1, 3), await h.BucketsAsync(B, Sku2));
        Assert.Equal((10, 0, 0, 10), await h.BucketsAsync(C));
        var ledger = await h.OrderLedgerAsync("CC-S1");
        var writeOff = Assert.Single(ledger, e => e.MovementType == "InventoryAdjusted");
        Assert.Equal((A, Sku, -1, "SHORT_PICK"), (writeOff.LocationId, writeOff.Sku, writeOff.OnHandDelta, writeOff.ReasonCode));
        Assert.Equal(
            [(Sku, -2, "SHORT_PICK"), (Sku2, -1, "SHORT_PICK")],
            ledger.Where(e => e.MovementType == "AllocationReleased").Select(e => (e.Sku, e.AllocatedDelta, e.ReasonCode!)));
        await h.AssertLedgerMatchesPositionsAsync();

        // The order goes on at the new store; the old store can no longer act on it.
        await h.PublishAsync(new OrderPicked { OrderId = "CC-S1", LocationId = A, PickedAt = h.Clock.GetUtcNow() });
        var refused = await h.RefusalAsync("CC-S1", nameof(OrderPicked));
        Assert.Equal("OrderPicked came from STORE-A, but the order is at STORE-B.", refused.Reason);
        await h.PublishAsync(new OrderReadyForPickup { OrderId = "CC-S1", StoreId = B, ReadyAt = h.Clock.GetUtcNow() });
        await h.InState("CC-S1", "ReadyForPickup");
        await h.PublishAsync(h.Collected("CC-S1", B));
        await h.InState("CC-S1", "Collected");
        Assert.Equal((2, 0, 0, 2), await h.BucketsAsync(B));
        Assert.Equal((3, 0, 0, 3), await h.BucketsAsync(B, Sku2));
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(A));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task With_ShortPickWritesOffOnHand_off_a_short_pick_moves_the_order_and_leaves_the_shelf_count_alone()
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Orders:ShortPickWritesOffOnHand"] = "false" });
        await StoresAsync(h);
        await h.ReceiveAsync(Sku, A, 5);
        await h.ReceiveAsync(Sku, B, 4);
        await h.PickingAsync("CC-S2", A);

        await h.PublishAsync(h.ShortPick("CC-S2", A, (Sku, 1)));

        var moved = await h.WaitForAsync<ClickAndCollectState>("CC-S2", s => s.StoreId == B, "re-sourced to STORE-B");
        Assert.Equal(("Picking", 2, "CC-S2-P2"), (moved.CurrentState, moved.Attempt, moved.ShipmentId));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync(A));
        Assert.Equal((4, 0, 2, 2), await h.BucketsAsync(B));
        Assert.DoesNotContain(await h.OrderLedgerAsync("CC-S2"), e => e.MovementType == "InventoryAdjusted");
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_short_pick_with_no_other_store_that_has_every_line_releases_the_order_naming_the_short_pick()
    {
        await using var h = await SagaHarness.StartAsync();
        await StoresAsync(h);
        await h.DistributionCenterAsync("DC-1");
        await h.ReceiveAsync(Sku, A, 5);
        await h.ReceiveAsync(Sku, B, 1);   // not enough for the line
        await h.ReceiveAsync(Sku, "DC-1", 50); // plenty, but no pickup
        await h.PickingAsync("CC-S3", A);

        await h.PublishAsync(h.ShortPick("CC-S3", A, (Sku, 2)));

        const string reason = "Short pick at STORE-A (2 × SKU-1) and no other pickup store has every line: the order is cancelled.";
        var released = await h.InState("CC-S3", "Released");
        Assert.Equal((reason, A, 1, (string?)null), (released.Reason, released.StoreId, released.Attempt, released.ShipmentId));
        Assert.Equal([A], released.ShortPickedAt);
        var stop = await h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == "CC-S3");
        Assert.Equal(("CC-S3-P1", A), (stop.ShipmentId, stop.LocationId));
        var status = await h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-S3" && m.Status == "Released");
        Assert.Equal(("Picking", reason), (status.PreviousStatus, status.Reason));
        Assert.Equal((3, 0, 0, 3), await h.BucketsAsync(A));
        Assert.Equal((1, 0, 0, 1), await h.BucketsAsync(B));
        Assert.Equal((50, 0, 0, 50), await h.BucketsAsync("DC-1"));
        Assert.Empty(h.Delivered<FulfillmentRequested>(m => m.OrderId == "CC-S3" && m.ShipmentId != "CC-S3-P1"));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_second_short_pick_never_sends_the_order_back_to_a_store_that_short_picked_it()
    {
        await using var h = await SagaHarness.StartAsync();
        await StoresAsync(h);
        await h.ReceiveAsync(Sku, A, 5);
        await h.ReceiveAsync(Sku, B, 4);
        await h.ReceiveAsync(Sku, C, 10);
        await h.PickingAsync("CC-S4", A);
        await h.PublishAsync(h.ShortPick("CC-S4", A, (Sku, 1)));
        await h.WaitForAsync<ClickAndCollectState>("CC-S4", s => s.StoreId == B, "re-sourced to STORE-B");
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(A)); // STORE-A has the units again, and is nearest to STORE-B

        await h.PublishAsync(h.ShortPick("CC-S4", B, (Sku, 1)));

        var moved = await h.WaitForAsync<ClickAndCollectState>("CC-S4", s => s.StoreId == C, "re-sourced to STORE-C");
        Assert.Equal(("Picking", 3, "CC-S4-P3", "Short pick at STORE-B (1 × SKU-1): re-sourced to STORE-C."), (moved.CurrentState, moved.Attempt, moved.ShipmentId, moved.Reason));
        Assert.Equal([A, B], moved.ShortPickedAt);
        var stop = await h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == "CC-S4" && m.LocationId == B);
        Assert.Equal("CC-S4-P2", stop.ShipmentId);
        var request = await h.PublishedAsync<FulfillmentRequested>(m => m.OrderId == "CC-S4" && m.ShipmentId == "CC-S4-P3");
        Assert.Equal(C, request.LocationId);
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(A));
        Assert.Equal((3, 0, 0, 3), await h.BucketsAsync(B));
        Assert.Equal((10, 0, 2, 8), await h.BucketsAsync(C));

        // The last store short-picks too: STORE-A and STORE-B still have the units, but the order is released instead.
        await h.PublishAsync(h.ShortPick("CC-S4", C, (Sku, 2)));

        var released = await h.InState("CC-S4", "Released");
        Assert.StartsWith("Short pick at STORE-C (2 × SKU-1) and no other pickup store has every line", released.Reason, StringComparison.Ordinal);
        Assert.Equal([A, B, C], released.ShortPickedAt);
        Assert.Equal((8, 0, 0, 8), await h.BucketsAsync(C));
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(A));
        Assert.Equal((3, 0, 0, 3), await h.BucketsAsync(B));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Cancelling_a_re_sourced_order_releases_the_allocation_at_the_new_store()
    {
        await using var h = await SagaHarness.StartAsync();
        await StoresAsync(h);
        await h.ReceiveAsync(Sku, A, 5);
        await h.ReceiveAsync(Sku, B, 4);
        await h.PickingAsync("CC-S5", A);
        await h.PublishAsync(h.ShortPick("CC-S5", A, (Sku, 1)));
        await h.WaitForAsync<ClickAndCollectState>("CC-S5", s => s.StoreId == B, "re-sourced to STORE-B");

        await h.PublishAsync(h.Cancel("CC-S5"));

        await h.InState("CC-S5", "Released");
        var answer = await h.CancellationAnswerAsync("CC-S5");
        Assert.Equal(CancellationOutcome.Cancelled, answer.Outcome);
        var stop = await h.PublishedAsync<FulfillmentCancelled>(m => m.OrderId == "CC-S5" && m.LocationId == B);
        Assert.Equal("CC-S5-P2", stop.ShipmentId);
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(B));
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync(A));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData("SKU-OTHER:1", "The missing line SKU-OTHER × 1 is not part of the order's lines.")]
    [InlineData("SKU-1:3", "The missing line SKU-1 × 3 is not part of the order's lines.")]
    [InlineData("SKU-1:0", "The missing line SKU-1 × 0 is not part of the order's lines.")]
    [InlineData("", "A short pick must name at least one missing line.")]
    [InlineData("SKU-1:1,SKU-1:2", "SKU SKU-1 appears on more than one missing line")]
    [InlineData("null", "A missing line cannot be null.")]
    public async Task A_short_pick_that_does_not_fit_the_order_is_refused_and_changes_nothing(string missing, string reason)
    {
        await using var h = await SagaHarness.StartAsync();
        await StoresAsync(h);
        await h.ReceiveAsync(Sku, A, 5);
        await h.ReceiveAsync(Sku, B, 5);
        var picking = await h.PickingAsync("CC-S6", A);
        (string, int)[] lines = missing is "" or "null"
            ? []
            : missing.Split(',').Select(m => (m.Split(':')[0], int.Parse(m.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var shortPick = h.ShortPick("CC-S6", A, lines);

        await h.PublishAsync(missing == "null" ? shortPick with { MissingLines = [null!] } : shortPick);

        var refused = await h.RefusalAsync("CC-S6", nameof(OrderShortPicked));
        Assert.Equal("Picking", refused.State);
        Assert.Contains(reason, refused.Reason, StringComparison.Ordinal);
        var after = await h.Saga("CC-S6");
        Assert.Equal((picking.Version, A, 1, "CC-S6-P1"), (after.Version, after.StoreId, after.Attempt, after.ShipmentId));
        Assert.Empty(after.ShortPickedAt);
        Assert.Equal((5, 0, 2, 3), await h.BucketsAsync(A));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync(B));
        Assert.Empty(h.Delivered<FulfillmentCancelled>(m => m.OrderId == "CC-S6"));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_short_pick_from_a_store_the_order_is_not_at_is_refused_and_changes_nothing()
    {
        await using var h = await SagaHarness.StartAsync();
        await StoresAsync(h);
        await h.ReceiveAsync(Sku, A, 5);
        await h.ReceiveAsync(Sku, B, 5);
        var picking = await h.PickingAsync("CC-S7", A);

        await h.PublishAsync(h.ShortPick("CC-S7", B, (Sku, 1)));

        var refused = await h.RefusalAsync("CC-S7", nameof(OrderShortPicked));
        Assert.Equal(("Picking", "OrderShortPicked came from STORE-B, but the order is at STORE-A."), (refused.State, refused.Reason));
        var after = await h.Saga("CC-S7");
        Assert.Equal((picking.Version, A), (after.Version, after.StoreId));
        Assert.Equal((5, 0, 2, 3), await h.BucketsAsync(A));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync(B));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    private static async Task StoresAsync(SagaHarness h)
    {
        await h.StoreAsync(A, 51.5074, -0.1278);
        await h.StoreAsync(C, 51.4543, -0.9781);
        await h.StoreAsync(B, 51.6565, -0.3903);
    }

    private static async Task StockAsync(SagaHarness h, string store, int sku1, int sku2)
    {
        await h.ReceiveAsync(Sku, store, sku1);
        await h.ReceiveAsync(Sku2, store, sku2);
    }
}
