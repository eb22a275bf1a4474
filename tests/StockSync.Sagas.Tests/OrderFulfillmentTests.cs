using StockSync.Contracts.Orders;
using StockSync.Sagas.OrderFulfillment;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The split-fulfillment machine in the test harness: sourcing and allocation, picking and dispatch (ERP postings,
/// completion), short picks (write-off, re-sourcing, backorders), and the messages it refuses or rejects.
/// </summary>
public sealed class OrderFulfillmentTests : IAsyncLifetime
{
    private const string A = "SKU-A";
    private const string B = "SKU-B";
    private const string Dc1 = StandardDc1;
    private const string StoreA = StandardStoreA;
    private const string StoreB = StandardStoreB;
    private const string PickupOnly = StandardPickupOnly;
    private SagaHarness _h = null!;

    public async Task InitializeAsync() => _h = await StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task An_order_one_DC_has_in_full_ships_from_that_DC_as_one_allocated_shipment()
    {
        await Stock((A, Dc1, 10), (B, Dc1, 4), (A, StoreA, 10), (B, StoreA, 10));

        await _h.PlaceAsync("O-1", (A, 2), (B, 1));

        var order = await _h.OrderInAsync("O-1", "Fulfilling");
        Assert.Equal([("O-1-S1", Dc1, "Requested", "SKU-A×2,SKU-B×1")], ShipmentsOf(order));
        Assert.Equal((1, 0), (order.OpenShipments, order.BackorderedUnits));
        Assert.Equal((2, 0, 0, 0), Counters(order, A));
        Assert.Equal((1, 0, 0, 0), Counters(order, B));
        Assert.Equal(("web", null, null), (order.ChannelId, order.Reason, order.CompletedAt));
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((4, 0, 1, 3), await _h.SkuBucketsAsync(B, Dc1));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, StoreA));

        var request = await _h.DeliveredEventuallyAsync<FulfillmentRequested>(m => m.OrderId == "O-1");
        Assert.Equal(("O-1-S1", Dc1, FulfillmentKind.Ship, "SKU-A×2,SKU-B×1"), (request.ShipmentId, request.LocationId, request.Kind, Text(request.Lines)));
        var announced = await _h.DeliveredEventuallyAsync<OrderStatusChanged>(m => m.OrderId == "O-1");
        Assert.Equal((OrderFlow.OrderFulfillment, string.Empty, "Fulfilling", Dc1), (announced.Flow, announced.PreviousStatus, announced.Status, announced.LocationId));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_order_no_single_location_has_is_split_across_the_DC_and_two_ship_from_store_stores()
    {
        // Only the pickup-only store has everything, and it never ships; SKU-A is split between the DC and STORE-A.
        await Stock((A, Dc1, 3), (A, StoreA, 2), (B, StoreB, 2), (A, PickupOnly, 50), (B, PickupOnly, 50));

        await _h.PlaceAsync("O-2", (A, 5), (B, 2));

        var order = await _h.OrderInAsync("O-2", "Fulfilling");
        Assert.Equal(
            [("O-2-S1", Dc1, "Requested", "SKU-A×3"), ("O-2-S2", StoreA, "Requested", "SKU-A×2"), ("O-2-S3", StoreB, "Requested", "SKU-B×2")],
            ShipmentsOf(order));
        Assert.Equal((3, 0), (order.OpenShipments, order.BackorderedUnits));
        Assert.Equal((5, 2), (Allocated(order, A), Allocated(order, B)));
        Assert.Equal((3, 0, 3, 0), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((2, 0, 2, 0), await _h.SkuBucketsAsync(A, StoreA));
        Assert.Equal((2, 0, 2, 0), await _h.SkuBucketsAsync(B, StoreB));
        Assert.Equal((50, 0, 0, 50), await _h.SkuBucketsAsync(A, PickupOnly));

        await _h.DeliveredEventuallyAsync<FulfillmentRequested>(m => m.ShipmentId == "O-2-S3");
        var requests = _h.DeliveredSoFar<FulfillmentRequested>(m => m.OrderId == "O-2").OrderBy(m => m.ShipmentId).ToList();
        Assert.Equal(
            [(Dc1, "SKU-A×3"), (StoreA, "SKU-A×2"), (StoreB, "SKU-B×2")],
            requests.Select(r => (r.LocationId, Text(r.Lines))));
        Assert.All(requests, r => Assert.Equal(FulfillmentKind.Ship, r.Kind));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_picked_shipment_that_leaves_is_posted_to_the_ERP_and_completes_the_order()
    {
        await Stock((A, Dc1, 10));
        await _h.PlaceAsync("O-3", (A, 2));
        await _h.OrderInAsync("O-3", "Fulfilling");

        await _h.PickAsync("O-3", Dc1);
        var picked = await _h.OrderWhenAsync("O-3", o => o.Shipments[0].Status == ShipmentStatus.Picked, "the shipment picked");
        Assert.Equal(("Fulfilling", 1), (picked.CurrentState, picked.OpenShipments));
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));

        _h.Clock.Advance(TimeSpan.FromHours(2));
        await _h.DispatchAsync("O-3", Dc1, "O-3-S1", tracking: "TRK-1");

        var done = await _h.OrderInAsync("O-3", "Completed");
        var dispatchedAt = SagaHarness.Start.AddHours(2);
        Assert.Equal(dispatchedAt.UtcDateTime, done.CompletedAt);
        var shipment = Assert.Single(done.Shipments);
        Assert.Equal((ShipmentStatus.Shipped, dispatchedAt.UtcDateTime, "TRK-1"), (shipment.Status, shipment.ShippedAt, shipment.TrackingNumber));
        Assert.Equal((2, 2, 0, 0), Counters(done, A));
        Assert.Equal(0, done.OpenShipments);
        Assert.Equal((8, 0, 0, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Contains(("FulfillmentShipped", null, -2, -2), await _h.OrderLedgerAsync("O-3", A, Dc1));

        var posting = await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "O-3");
        Assert.Equal(
            ("shipment:O-3-S1", "Shipment", Dc1, "O-3-S1", "SKU-A×2", dispatchedAt),
            (posting.PostingId, posting.Kind, posting.LocationId, posting.Reference, Text(posting.Lines), posting.OccurredAt));
        Assert.Equivalent(new[] { "→Fulfilling", "Fulfilling→Completed" }, await _h.TransitionsAsync("O-3", 2), strict: true);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_split_order_completes_only_when_its_last_shipment_has_left_with_one_ERP_posting_per_shipment()
    {
        await Stock((A, Dc1, 3), (A, StoreA, 4), (B, StoreA, 1));
        await _h.PlaceAsync("O-4", (A, 5), (B, 1));
        await _h.OrderInAsync("O-4", "Fulfilling");

        await _h.DispatchAsync("O-4", Dc1, "O-4-S1");
        var half = await _h.OrderWhenAsync("O-4", o => o.Line(A).Shipped == 3, "the DC's shipment shipped");
        Assert.Equal(("Fulfilling", 1, null), (half.CurrentState, half.OpenShipments, half.CompletedAt));
        Assert.Equal((5, 3, 0, 0), Counters(half, A));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(A, Dc1));

        // The store names no shipment: it has one open shipment of the order.
        await _h.DispatchAsync("O-4", StoreA);
        var done = await _h.OrderInAsync("O-4", "Completed");
        Assert.Equal(((5, 5, 0, 0), (1, 1, 0, 0)), (Counters(done, A), Counters(done, B)));
        Assert.All(done.Shipments, s => Assert.Equal(ShipmentStatus.Shipped, s.Status));
        Assert.Equal((2, 0, 0, 2), await _h.SkuBucketsAsync(A, StoreA));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(B, StoreA));

        var postings = (await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "O-4", count: 2)).OrderBy(m => m.PostingId).ToList();
        Assert.Equal(
            [("shipment:O-4-S1", Dc1, "SKU-A×3"), ("shipment:O-4-S2", StoreA, "SKU-A×2,SKU-B×1")],
            postings.Select(p => (p.PostingId, p.LocationId, Text(p.Lines))));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_short_pick_writes_the_missing_units_off_and_resources_them_to_the_next_location_in_a_new_shipment()
    {
        await Stock((A, Dc1, 5), (A, StoreA, 5));
        await _h.PlaceAsync("O-5", (A, 3));
        await _h.OrderInAsync("O-5", "Fulfilling");

        await _h.ShortPickAsync("O-5", Dc1, "O-5-S1", (A, 2));

        var order = await _h.OrderWhenAsync("O-5", o => o.Shipments.Count == 2, "re-sourced");
        Assert.Equal([("O-5-S1", Dc1, "Requested", "SKU-A×1"), ("O-5-S2", StoreA, "Requested", "SKU-A×2")], ShipmentsOf(order));
        Assert.Equal(("Fulfilling", 2, 0), (order.CurrentState, order.OpenShipments, order.BackorderedUnits));
        Assert.Equal([Dc1], order.Line(A).ShortPickedAt);
        Assert.Equal("Short pick at DC-1 (2 × SKU-A). Re-sourced to STORE-A.", order.Reason);
        Assert.Equal((3, 0, 1, 2), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((5, 0, 2, 3), await _h.SkuBucketsAsync(A, StoreA));
        var shortPick = (await _h.OrderLedgerAsync("O-5", A, Dc1)).Where(r => r.Reason == "SHORT_PICK").ToList();
        Assert.Equal([("AllocationReleased", "SHORT_PICK", 0, -2), ("InventoryAdjusted", "SHORT_PICK", -2, 0)], shortPick);

        var request = await _h.DeliveredEventuallyAsync<FulfillmentRequested>(m => m.ShipmentId == "O-5-S2");
        Assert.Equal((StoreA, "SKU-A×2"), (request.LocationId, Text(request.Lines)));

        await _h.DispatchAsync("O-5", Dc1);
        await _h.DispatchAsync("O-5", StoreA);
        var done = await _h.OrderInAsync("O-5", "Completed");
        Assert.Equal((3, 3, 0, 0), Counters(done, A));
        Assert.Equal((2, 0, 0, 2), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((3, 0, 0, 3), await _h.SkuBucketsAsync(A, StoreA));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_short_pick_with_nowhere_else_to_go_is_backordered_and_the_order_waits_once_its_shipment_has_left()
    {
        await Stock((A, Dc1, 2));
        await _h.PlaceAsync("O-7", (A, 2));
        await _h.OrderInAsync("O-7", "Fulfilling");

        await _h.ShortPickAsync("O-7", Dc1, "O-7-S1", (A, 1));

        var shortPicked = await _h.OrderWhenAsync("O-7", o => o.BackorderedUnits == 1, "backordered");
        Assert.Equal(("Fulfilling", 1), (shortPicked.CurrentState, shortPicked.OpenShipments));
        Assert.Equal((2, 0, 0, 1), Counters(shortPicked, A));
        Assert.Contains("Backordered: 1 × SKU-A", shortPicked.Reason, StringComparison.Ordinal);
        Assert.Equal((1, 0, 1, 0), await _h.SkuBucketsAsync(A, Dc1));

        await _h.DispatchAsync("O-7", Dc1);

        var waiting = await _h.OrderInAsync("O-7", "Backordered");
        Assert.Equal((0, 1, null), (waiting.OpenShipments, waiting.BackorderedUnits, waiting.CompletedAt));
        Assert.Equal((2, 1, 0, 1), Counters(waiting, A));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(A, Dc1));
        var posting = await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "O-7");
        Assert.Equal("SKU-A×1", Text(posting.Lines));
        var announced = await _h.DeliveredEventuallyAsync<OrderStatusChanged>(m => m.OrderId == "O-7" && m.Status == "Backordered");
        Assert.Equal("Fulfilling", announced.PreviousStatus);
        Assert.Contains("backordered", announced.Reason, StringComparison.OrdinalIgnoreCase);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_shipment_short_picked_in_full_with_nowhere_else_to_go_is_cancelled_and_the_order_backordered_at_once()
    {
        await Stock((A, Dc1, 3), (B, Dc1, 1));
        await _h.PlaceAsync("O-8", (A, 3), (B, 1));
        await _h.OrderInAsync("O-8", "Fulfilling");

        await _h.ShortPickAsync("O-8", Dc1, "O-8-S1", (A, 3), (B, 1));

        var order = await _h.OrderInAsync("O-8", "Backordered");
        Assert.Equal([("O-8-S1", Dc1, ShipmentStatus.Cancelled, "")], ShipmentsOf(order));
        Assert.Equal((0, 4), (order.OpenShipments, order.BackorderedUnits));
        Assert.Equal(((3, 0, 0, 3), (1, 0, 0, 1)), (Counters(order, A), Counters(order, B)));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(B, Dc1));
        Assert.Contains("Backordered: 3 × SKU-A, 1 × SKU-B", order.Reason, StringComparison.Ordinal);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_order_with_no_stock_anywhere_is_backordered_at_once_and_no_location_is_asked_to_ship()
    {
        await Stock((A, PickupOnly, 10));

        await _h.PlaceAsync("O-9", (A, 2), (B, 1));

        var order = await _h.OrderInAsync("O-9", "Backordered");
        Assert.Empty(order.Shipments);
        Assert.Equal((0, 3), (order.OpenShipments, order.BackorderedUnits));
        Assert.Equal(((2, 0, 0, 2), (1, 0, 0, 1)), (Counters(order, A), Counters(order, B)));
        Assert.Equal("Backordered: 2 × SKU-A, 1 × SKU-B (no location that ships has it).", order.Reason);
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, PickupOnly));
        var announced = await _h.DeliveredEventuallyAsync<OrderStatusChanged>(m => m.OrderId == "O-9");
        Assert.Equal((string.Empty, "Backordered", order.Reason), (announced.PreviousStatus, announced.Status, announced.Reason));

        // Nothing is out at a location, so a location's confirmation is refused.
        await _h.DispatchAsync("O-9", Dc1);
        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-9");
        Assert.Equal((nameof(ShipmentDispatched), "Backordered"), (refused.Event, refused.State));
        Assert.Contains("no shipment", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(_h.DeliveredSoFar<FulfillmentRequested>(m => m.OrderId == "O-9"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_order_only_partly_in_stock_ships_what_there_is_and_backorders_the_rest()
    {
        await Stock((A, Dc1, 3));

        await _h.PlaceAsync("O-10", (A, 5));

        var order = await _h.OrderWhenAsync("O-10", o => o.CurrentState == "Fulfilling", "Fulfilling");
        Assert.Equal([("O-10-S1", Dc1, "Requested", "SKU-A×3")], ShipmentsOf(order));
        Assert.Equal((5, 0, 0, 2), Counters(order, A));
        Assert.Equal((1, 2), (order.OpenShipments, order.BackorderedUnits));
        Assert.Equal((3, 0, 3, 0), await _h.SkuBucketsAsync(A, Dc1));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData(1, 1, "SKU 'SKU-A' appears on more than one line")]
    [InlineData(0, 2, "lines[0].quantity: The quantity must be between 1 and 100000")]
    public async Task An_invalid_order_from_the_bus_is_rejected_with_the_reason_and_nothing_is_allocated(int firstQuantity, int secondQuantity, string reason)
    {
        await Stock((A, Dc1, 10), (B, Dc1, 10));
        var lines = firstQuantity == 0
            ? new[] { new OrderLine { Sku = A, Quantity = firstQuantity }, new OrderLine { Sku = B, Quantity = secondQuantity } }
            : [new OrderLine { Sku = A, Quantity = firstQuantity }, new OrderLine { Sku = A, Quantity = secondQuantity }];

        await _h.PublishAsync(new FulfillOrder { OrderId = "O-BAD", Lines = lines, PlacedAt = _h.Clock.GetUtcNow() });

        var order = await _h.OrderInAsync("O-BAD", "Rejected");
        Assert.StartsWith("Invalid order: ", order.Reason, StringComparison.Ordinal);
        Assert.Contains(reason, order.Reason, StringComparison.Ordinal);
        Assert.Empty(order.Lines);
        Assert.Empty(order.Shipments);
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
        var announced = await _h.DeliveredEventuallyAsync<OrderStatusChanged>(m => m.OrderId == "O-BAD");
        Assert.Equal(("Rejected", order.Reason), (announced.Status, announced.Reason));
        Assert.Empty(_h.DeliveredSoFar<FulfillmentRequested>(m => m.OrderId == "O-BAD"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_second_FulfillOrder_for_an_order_that_exists_is_refused_and_changes_nothing()
    {
        await Stock((A, Dc1, 10));
        await _h.PlaceAsync("O-11", (A, 2));
        await _h.OrderInAsync("O-11", "Fulfilling");

        await _h.PlaceAsync("O-11", (A, 5));

        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-11");
        Assert.Equal((OrderFlow.OrderFulfillment, nameof(FulfillOrder), "Fulfilling"), (refused.Flow, refused.Event, refused.State));
        Assert.Equal("FulfillOrder is not allowed while the order is Fulfilling.", refused.Reason);
        var order = await _h.SagaAsync<OrderFulfillmentState>("O-11");
        Assert.Equal((2, 0, 0, 0), Counters(order!, A));
        Assert.Equal([("O-11-S1", Dc1, "Requested", "SKU-A×2")], ShipmentsOf(order!));
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        await _h.DeliveredEventuallyAsync<FulfillmentRequested>(m => m.OrderId == "O-11");
        Assert.Single(_h.DeliveredSoFar<FulfillmentRequested>(m => m.OrderId == "O-11"));
    }

    [Fact]
    public async Task A_dispatch_naming_a_shipment_the_order_does_not_have_is_refused_and_nothing_moves()
    {
        await Stock((A, Dc1, 10));
        await _h.PlaceAsync("O-12", (A, 2));
        await _h.OrderInAsync("O-12", "Fulfilling");

        await _h.DispatchAsync("O-12", Dc1, "O-12-S9");
        await _h.DispatchAsync("O-12", StoreA);

        var unknown = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-12" && m.Reason.Contains("O-12-S9", StringComparison.Ordinal));
        Assert.Equal((nameof(ShipmentDispatched), "Fulfilling", "The order has no shipment O-12-S9 at DC-1."), (unknown.Event, unknown.State, unknown.Reason));
        var elsewhere = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-12" && m.Reason.Contains(StoreA, StringComparison.Ordinal));
        Assert.Equal("The order has no shipment at STORE-A.", elsewhere.Reason);
        var order = await _h.SagaAsync<OrderFulfillmentState>("O-12");
        Assert.Equal(("Fulfilling", ShipmentStatus.Requested, 0), (order!.CurrentState, order.Shipments[0].Status, order.Line(A).Shipped));
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Empty(_h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "O-12"));
    }

    [Fact]
    public async Task A_second_dispatch_of_a_shipment_that_already_left_is_refused_and_ships_nothing_twice()
    {
        await Stock((A, Dc1, 3), (A, StoreA, 3));
        await _h.PlaceAsync("O-13", (A, 5));
        await _h.OrderInAsync("O-13", "Fulfilling");
        await _h.DispatchAsync("O-13", Dc1, "O-13-S1");
        await _h.OrderWhenAsync("O-13", o => o.Line(A).Shipped == 3, "the DC's shipment shipped");

        await _h.DispatchAsync("O-13", Dc1, "O-13-S1");

        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-13");
        Assert.Equal((nameof(ShipmentDispatched), "Fulfilling", "Shipment O-13-S1 at DC-1 is already Shipped."), (refused.Event, refused.State, refused.Reason));
        var order = await _h.SagaAsync<OrderFulfillmentState>("O-13");
        Assert.Equal((5, 3, 0, 0), Counters(order!, A));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(A, Dc1));
        await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "O-13");
        Assert.Single(_h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "O-13"));

        // Once the order has completed, a repeat is refused by the state itself.
        await _h.DispatchAsync("O-13", StoreA);
        await _h.OrderInAsync("O-13", "Completed");
        await _h.DispatchAsync("O-13", StoreA, "O-13-S2");
        var late = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-13" && m.State == "Completed");
        Assert.Equal("ShipmentDispatched is not allowed while the order is Completed.", late.Reason);
        Assert.Equal((1, 0, 0, 1), await _h.SkuBucketsAsync(A, StoreA));
        Assert.Equal(
            ["shipment:O-13-S1", "shipment:O-13-S2"],
            (await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "O-13", count: 2)).Select(p => p.PostingId).Order(StringComparer.Ordinal));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_location_with_two_open_shipments_of_the_order_must_name_the_shipment_it_confirms()
    {
        await Stock((A, Dc1, 1), (B, StoreA, 1));
        await _h.PlaceAsync("O-14", (A, 1), (B, 1));
        await _h.OrderInAsync("O-14", "Fulfilling");
        // SKU-B arrives at the DC after sourcing; STORE-A then cannot find its unit, so SKU-B moves to the DC.
        await _h.ReceiveAsync(B, Dc1, 1);
        await _h.ShortPickAsync("O-14", StoreA, "O-14-S2", (B, 1));
        var resourced = await _h.OrderWhenAsync("O-14", o => o.Shipments.Count == 3, "re-sourced");
        Assert.Equal(("O-14-S3", Dc1, "Requested", "SKU-B×1"), ShipmentsOf(resourced)[2]);

        await _h.PickAsync("O-14", Dc1);

        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-14");
        Assert.Equal((nameof(OrderPicked), "DC-1 has 2 open shipments of this order: name the shipment id."), (refused.Event, refused.Reason));
        Assert.All((await _h.SagaAsync<OrderFulfillmentState>("O-14"))!.Shipments, s => Assert.NotEqual(ShipmentStatus.Picked, s.Status));

        await _h.PickAsync("O-14", Dc1, "O-14-S3");
        var picked = await _h.OrderWhenAsync("O-14", o => o.Shipments[2].Status == ShipmentStatus.Picked, "O-14-S3 picked");
        Assert.Equal(ShipmentStatus.Requested, picked.Shipments[0].Status);
    }

    [Fact]
    public async Task A_short_pick_of_more_than_the_shipment_holds_is_refused_and_nothing_moves()
    {
        await Stock((A, Dc1, 5), (A, StoreA, 5));
        await _h.PlaceAsync("O-15", (A, 2));
        await _h.OrderInAsync("O-15", "Fulfilling");

        await _h.ShortPickAsync("O-15", Dc1, "O-15-S1", (A, 3));
        await _h.ShortPickAsync("O-15", Dc1, "O-15-S1", (B, 1));

        var refusals = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-15", count: 2);
        Assert.All(refusals, r => Assert.Equal((nameof(OrderShortPicked), "The missing lines must name SKUs of shipment O-15-S1, each once, at most its quantities."), (r.Event, r.Reason)));
        var order = await _h.SagaAsync<OrderFulfillmentState>("O-15");
        Assert.Equal([("O-15-S1", Dc1, "Requested", "SKU-A×2")], ShipmentsOf(order!));
        Assert.Empty(order!.Line(A).ShortPickedAt);
        Assert.Equal((5, 0, 2, 3), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((5, 0, 0, 5), await _h.SkuBucketsAsync(A, StoreA));
    }

    [Fact]
    public async Task A_short_pick_naming_a_SKU_twice_is_refused_and_leaves_other_orders_allocations_alone()
    {
        await Stock((A, Dc1, 10), (A, StoreA, 10));
        await _h.PlaceAsync("O-16", (A, 2));
        await _h.PlaceAsync("O-17", (A, 2));
        await _h.OrderInAsync("O-16", "Fulfilling");
        await _h.OrderInAsync("O-17", "Fulfilling");

        // Each line alone fits the shipment's 2 units; together they claim 4, two of them O-17's.
        await _h.ShortPickAsync("O-16", Dc1, "O-16-S1", (A, 2), (A, 2));

        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "O-16");
        Assert.Equal((nameof(OrderShortPicked), "The missing lines must name SKUs of shipment O-16-S1, each once, at most its quantities."), (refused.Event, refused.Reason));
        var order = await _h.SagaAsync<OrderFulfillmentState>("O-16");
        Assert.Equal([("O-16-S1", Dc1, "Requested", "SKU-A×2")], ShipmentsOf(order!));
        Assert.Empty(order!.Line(A).ShortPickedAt);
        Assert.Equal((10, 0, 4, 6), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, StoreA));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task The_reason_kept_on_the_order_fits_its_column_however_many_lines_are_backordered()
    {
        var lines = Enumerable.Range(1, 80).Select(i => ($"SKU-WITH-A-LONG-CODE-{i:D4}", 1)).ToArray();

        await _h.PlaceAsync("O-19", lines);

        var order = await _h.OrderInAsync("O-19", "Backordered");
        Assert.Equal(80, order.BackorderedUnits);
        Assert.StartsWith("Backordered: 1 × SKU-WITH-A-LONG-CODE-0001, ", order.Reason, StringComparison.Ordinal);
        Assert.InRange(order.Reason!.Length, 900, StockSync.Persistence.Configuration.Lengths.Text);
    }

    private static async Task<SagaHarness> StartAsync()
    {
        var h = await SagaHarness.StartAsync();
        await h.StandardLocationsAsync();
        return h;
    }

    private Task Stock(params (string Sku, string Location, int Quantity)[] receipts) => _h.StockAsync(receipts);
}
