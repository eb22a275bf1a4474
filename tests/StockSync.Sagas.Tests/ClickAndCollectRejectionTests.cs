using StockSync.Contracts.Orders;
using StockSync.Ledger;
using StockSync.Sagas.OrderFulfillment;
using static StockSync.Sagas.Tests.ClickAndCollectDriver;

namespace StockSync.Sagas.Tests;

/// <summary>The Rejected exit: no stock at the chosen store (with alternatives), an invalid order, an unknown SKU.</summary>
public sealed class ClickAndCollectRejectionTests
{
    private const string Sku2 = "SKU-2";

    [Fact]
    public async Task An_order_the_chosen_store_cannot_cover_is_rejected_naming_the_nearest_pickup_stores_that_have_every_line()
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Orders:AlternativeStores"] = "4" });
        await h.StoreAsync("STORE-A", 51.5074, -0.1278); // London, the customer's choice
        await h.StoreAsync("STORE-D", 52.4862, -1.8904); // Birmingham, 162.5 km
        await h.StoreAsync("STORE-C", 51.4543, -0.9781); // Reading, 59.2 km
        await h.StoreAsync("STORE-B", 51.6565, -0.3903); // Watford, 24.6 km
        await h.StoreAsync("STORE-Z");                   // no coordinates, created before N
        await h.StoreAsync("STORE-N");                   // no coordinates
        await h.StoreAsync("STORE-G", 51.5200, -0.1200); // next door, but lacks SKU-2
        await h.LocationAsync("STORE-F", "Store", new LocationFulfillment(51.5100, -0.1300, OffersPickup: false)); // next door, no pickup
        await h.DistributionCenterAsync("DC-1");
        await Stock(h, "STORE-A", 1, 10);
        await Stock(h, "STORE-B", 4, 6);
        await Stock(h, "STORE-C", 2, 1);
        await Stock(h, "STORE-D", 3, 3);
        await Stock(h, "STORE-Z", 5, 5);
        await Stock(h, "STORE-N", 5, 5);
        await Stock(h, "STORE-F", 9, 9);
        await Stock(h, "DC-1", 50, 50);
        await h.ReceiveAsync(Sku, "STORE-G", 9);

        await h.PublishAsync(Reserve("CC-R1", "STORE-A", (Sku, 2), (Sku2, 1)));

        var rejected = await h.InState("CC-R1", "Rejected");
        Assert.Equal("Cannot reserve 2 of SKU-1@STORE-A: only 1 available to sell.", rejected.Reason);
        Assert.Null(rejected.HoldExpiresAt);
        Assert.Equal(["STORE-B", "STORE-C", "STORE-D", "STORE-N"], rejected.Alternatives.Select(a => a.StoreId));
        var published = await h.PublishedAsync<ClickAndCollectRejected>(m => m.OrderId == "CC-R1");
        Assert.Equal(("STORE-A", rejected.Reason), (published.StoreId, published.Reason));
        Assert.Equal(rejected.Alternatives.Select(a => a.StoreId), published.Alternatives.Select(a => a.StoreId));

        var (b, c, d, n) = (published.Alternatives[0], published.Alternatives[1], published.Alternatives[2], published.Alternatives[3]);
        Assert.Equal("Store STORE-B", b.Name);
        Assert.Equal(24.6, b.DistanceKm!.Value, 1);
        Assert.Equal(59.2, c.DistanceKm!.Value, 1);
        Assert.Equal(162.5, d.DistanceKm!.Value, 1);
        Assert.Null(n.DistanceKm);
        Assert.Equal([(Sku, 4), (Sku2, 6)], b.Available.Select(l => (l.Sku, l.Quantity)));
        Assert.Equal([(Sku, 2), (Sku2, 1)], c.Available.Select(l => (l.Sku, l.Quantity)));
        Assert.Equal([(Sku, 3), (Sku2, 3)], d.Available.Select(l => (l.Sku, l.Quantity)));

        var status = await h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == "CC-R1");
        Assert.Equal(("Rejected", string.Empty, rejected.Reason), (status.Status, status.PreviousStatus, status.Reason));

        // All or nothing: SKU-2 was available at STORE-A, but nothing is held for the order anywhere.
        Assert.Equal((10, 0, 0, 10), await h.BucketsAsync("STORE-A", Sku2));
        Assert.Equal((1, 0, 0, 1), await h.BucketsAsync("STORE-A"));
        Assert.Equal((4, 0, 0, 4), await h.BucketsAsync("STORE-B"));
        Assert.Empty(await h.OrderLedgerAsync("CC-R1"));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData(0, new string[0])]
    [InlineData(1, new[] { "STORE-B" })]
    public async Task Orders_AlternativeStores_limits_how_many_stores_a_rejection_names(int limit, string[] expected)
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Orders:AlternativeStores"] = $"{limit}" });
        await h.StoreAsync("STORE-A", 51.5074, -0.1278);
        await h.StoreAsync("STORE-C", 51.4543, -0.9781);
        await h.StoreAsync("STORE-B", 51.6565, -0.3903);
        await h.ReceiveAsync(Sku, "STORE-B", 5);
        await h.ReceiveAsync(Sku, "STORE-C", 5);

        await h.PublishAsync(Reserve("CC-R2", "STORE-A"));

        var rejected = await h.InState("CC-R2", "Rejected");
        Assert.Equal("Cannot reserve 2 of SKU-1@STORE-A: only 0 available to sell.", rejected.Reason);
        Assert.Equal(expected, rejected.Alternatives.Select(a => a.StoreId));
        var published = await h.PublishedAsync<ClickAndCollectRejected>(m => m.OrderId == "CC-R2");
        Assert.Equal(expected, published.Alternatives.Select(a => a.StoreId));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("STORE-B"));
    }

    [Fact]
    public async Task An_order_naming_a_sku_on_two_lines_is_rejected_as_invalid_and_touches_no_stock()
    {
        await using var h = await StoreWithStockAsync();

        await h.PublishAsync(Reserve("CC-R3", "STORE-A", (Sku, 1), (Sku, 1)));

        await AssertRejectedAsInvalidAsync(h, "CC-R3", "Invalid order: lines: SKU 'SKU-1' appears on more than one line; give each SKU one line.");
    }

    [Fact]
    public async Task An_order_with_a_line_of_quantity_zero_is_rejected_as_invalid_and_touches_no_stock()
    {
        await using var h = await StoreWithStockAsync();

        await h.PublishAsync(Reserve("CC-R4", "STORE-A", (Sku, 0)));

        await AssertRejectedAsInvalidAsync(h, "CC-R4", "Invalid order: lines[0].quantity: The quantity must be between 1 and 100000.");
    }

    [Fact]
    public async Task An_order_for_an_unknown_sku_is_rejected_without_alternatives_and_reserves_none_of_its_other_lines()
    {
        await using var h = await StoreWithStockAsync();
        await h.StoreAsync("STORE-B", 51.6565, -0.3903);
        await h.ReceiveAsync(Sku, "STORE-B", 5);

        await h.PublishAsync(Reserve("CC-R5", "STORE-A", (Sku, 2), ("SKU-NOPE", 1)));

        var rejected = await h.InState("CC-R5", "Rejected");
        Assert.Equal("Unknown SKU 'SKU-NOPE': it is not in the item master.", rejected.Reason);
        Assert.Empty(rejected.Alternatives);
        var published = await h.PublishedAsync<ClickAndCollectRejected>(m => m.OrderId == "CC-R5");
        Assert.Equal(rejected.Reason, published.Reason);
        Assert.Empty(published.Alternatives);
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("STORE-A"));
        Assert.Empty(await h.OrderLedgerAsync("CC-R5"));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_order_whose_id_a_shipped_order_already_uses_is_refused_without_a_row_and_reserves_nothing()
    {
        await using var h = await StoreWithStockAsync();
        await h.DistributionCenterAsync("DC-1");
        await h.ReceiveAsync(Sku, "DC-1", 5);
        await h.PublishAsync(new FulfillOrder { OrderId = "CC-R6", Lines = [new OrderLine { Sku = Sku, Quantity = 1 }], PlacedAt = SagaHarness.Start });
        await h.WaitForStateAsync<OrderFulfillmentState>("CC-R6", "Fulfilling");

        await h.PublishAsync(Reserve("CC-R6", "STORE-A"));

        var refused = await h.PublishedAsync<OrderEventRefused>(m => m.OrderId == "CC-R6" && m.Event == nameof(ReserveForPickup));
        Assert.Equal((OrderFlow.ClickAndCollect, "Order id 'CC-R6' is already used by a shipped order; an order id is used once."), (refused.Flow, refused.Reason));
        Assert.Null(await h.SagaAsync<ClickAndCollect.ClickAndCollectState>("CC-R6"));
        Assert.Equal("Fulfilling", (await h.SagaAsync<OrderFulfillmentState>("CC-R6"))!.CurrentState);
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("STORE-A"));
        Assert.Equal((5, 0, 1, 4), await h.BucketsAsync("DC-1"));

        // The shipped order alone answers its cancellation: no second, contradicting answer from a click-and-collect row.
        await h.PublishAsync(new CancelOrder { OrderId = "CC-R6", Reason = "customer changed their mind", RequestedAt = SagaHarness.Start });
        await h.WaitForStateAsync<OrderFulfillmentState>("CC-R6", "Cancelled");
        var answer = await h.PublishedAsync<OrderCancellationProcessed>(m => m.OrderId == "CC-R6");
        Assert.Equal((OrderFlow.OrderFulfillment, CancellationOutcome.Cancelled), (answer.Flow, answer.Outcome));
        Assert.Single(h.Delivered<OrderCancellationProcessed>(m => m.OrderId == "CC-R6"));
        Assert.Empty(h.Delivered<OrderStatusChanged>(m => m.OrderId == "CC-R6" && m.Flow == OrderFlow.ClickAndCollect));
    }

    [Fact]
    public async Task A_shipped_order_whose_id_a_click_and_collect_order_already_uses_is_refused_without_a_row()
    {
        await using var h = await StoreWithStockAsync();
        await h.DistributionCenterAsync("DC-1");
        await h.ReceiveAsync(Sku, "DC-1", 5);
        await h.ReservedAsync("CC-R7", "STORE-A");

        await h.PublishAsync(new FulfillOrder { OrderId = "CC-R7", Lines = [new OrderLine { Sku = Sku, Quantity = 1 }], PlacedAt = SagaHarness.Start });

        var refused = await h.PublishedAsync<OrderEventRefused>(m => m.OrderId == "CC-R7" && m.Event == nameof(FulfillOrder));
        Assert.Equal((OrderFlow.OrderFulfillment, "Order id 'CC-R7' is already used by a click-and-collect order; an order id is used once."), (refused.Flow, refused.Reason));
        Assert.Null(await h.SagaAsync<OrderFulfillmentState>("CC-R7"));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("DC-1"));
        Assert.Equal((5, 2, 0, 3), await h.BucketsAsync("STORE-A"));
    }

    private static async Task<SagaHarness> StoreWithStockAsync()
    {
        var h = await SagaHarness.StartAsync();
        await h.StoreAsync("STORE-A", 51.5074, -0.1278);
        await h.ReceiveAsync(Sku, "STORE-A", 5);
        return h;
    }

    private static async Task AssertRejectedAsInvalidAsync(SagaHarness h, string orderId, string reason)
    {
        var rejected = await h.InState(orderId, "Rejected");
        Assert.Equal(reason, rejected.Reason);
        Assert.Null(rejected.HoldExpiresAt);
        Assert.Empty(rejected.Alternatives);
        var published = await h.PublishedAsync<ClickAndCollectRejected>(m => m.OrderId == orderId);
        Assert.Equal((reason, 0), (published.Reason, published.Alternatives.Count));
        Assert.Equal((5, 0, 0, 5), await h.BucketsAsync("STORE-A"));
        Assert.Empty(await h.OrderLedgerAsync(orderId));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    private static async Task Stock(SagaHarness h, string store, int sku1, int sku2)
    {
        await h.ReceiveAsync(Sku, store, sku1);
        await h.ReceiveAsync(Sku2, store, sku2);
    }
}
