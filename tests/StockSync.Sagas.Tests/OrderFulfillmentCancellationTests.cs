using StockSync.Contracts.Orders;
using StockSync.Sagas.OrderFulfillment;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Cancelling a shipped order: what has not left is released and its locations told to stop, backorders are dropped,
/// shipped units are refused as a return; an order that has ended refuses; and a shipment confirmation racing the
/// cancellation is settled by whichever arrives first.
/// </summary>
public sealed class OrderFulfillmentCancellationTests : IAsyncLifetime
{
    private const string A = "SKU-A";
    private const string B = "SKU-B";
    private const string Dc1 = "DC-1";
    private const string StoreA = "STORE-A";
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.DistributionCenterAsync(Dc1);
        await _h.StoreAsync(StoreA, 51.50, -0.12, shipsToCustomers: true);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Cancelling_before_anything_shipped_releases_every_allocation_and_tells_every_location_to_stop()
    {
        await SplitOrderAsync("C-1");
        await _h.PickAsync("C-1", Dc1);
        await _h.OrderWhenAsync("C-1", o => o.Shipments[0].Status == ShipmentStatus.Picked, "the DC's shipment picked");

        await _h.CancelAsync("C-1", "customer changed their mind", by: "oms");

        var cancelled = await _h.OrderInAsync("C-1", "Cancelled");
        Assert.Equal("Cancelled by oms: customer changed their mind", cancelled.Reason);
        Assert.Equal(SagaHarness.Start.UtcDateTime, cancelled.CompletedAt);
        Assert.All(cancelled.Shipments, s => Assert.Equal(ShipmentStatus.Cancelled, s.Status));
        Assert.Equal(((5, 0, 5, 0), (1, 0, 1, 0)), (Counters(cancelled, A), Counters(cancelled, B)));
        Assert.Equal((0, 0), (cancelled.OpenShipments, cancelled.BackorderedUnits));
        Assert.Equal((3, 0, 0, 3), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((4, 0, 0, 4), await _h.SkuBucketsAsync(A, StoreA));
        Assert.Equal((1, 0, 0, 1), await _h.SkuBucketsAsync(B, StoreA));
        Assert.Contains(("AllocationReleased", "CANCELLED", 0, -2), await _h.OrderLedgerAsync("C-1", A, StoreA));

        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-1");
        Assert.Equal((OrderFlow.OrderFulfillment, CancellationOutcome.Cancelled, "SKU-A×5,SKU-B×1", "", null), (answer.Flow, answer.Outcome, Text(answer.Released), Text(answer.Refused), answer.RefusalReason));
        var stops = await _h.DeliveredEventuallyAsync<FulfillmentCancelled>(m => m.OrderId == "C-1", count: 2);
        Assert.Equal([("C-1-S1", Dc1), ("C-1-S2", StoreA)], stops.Select(s => (s.ShipmentId, s.LocationId)).Order());
        Assert.All(stops, s => Assert.Equal(cancelled.Reason, s.Reason));
        Assert.Equivalent(new[] { "→Fulfilling", "Fulfilling→Cancelled" }, await _h.TransitionsAsync("C-1", 2), strict: true);
        Assert.Empty(_h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "C-1"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Cancelling_after_one_shipment_left_releases_the_rest_and_refuses_the_shipped_units_as_a_return()
    {
        await SplitOrderAsync("C-2");
        await _h.DispatchAsync("C-2", Dc1, "C-2-S1");
        await _h.OrderWhenAsync("C-2", o => o.Line(A).Shipped == 3, "the DC's shipment shipped");

        await _h.CancelAsync("C-2");

        var order = await _h.OrderInAsync("C-2", "Completed");
        Assert.Equal(((5, 3, 2, 0), (1, 0, 1, 0)), (Counters(order, A), Counters(order, B)));
        Assert.Equal([("C-2-S1", Dc1, ShipmentStatus.Shipped), ("C-2-S2", StoreA, ShipmentStatus.Cancelled)], order.Shipments.Select(s => (s.ShipmentId, s.LocationId, s.Status)));
        Assert.NotNull(order.CompletedAt);
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((4, 0, 0, 4), await _h.SkuBucketsAsync(A, StoreA));

        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-2");
        Assert.Equal((CancellationOutcome.PartiallyCancelled, "SKU-A×2,SKU-B×1", "SKU-A×3"), (answer.Outcome, Text(answer.Released), Text(answer.Refused)));
        Assert.Matches("handle .* as a return", answer.RefusalReason);
        var stop = await _h.DeliveredEventuallyAsync<FulfillmentCancelled>(m => m.OrderId == "C-2");
        Assert.Equal(("C-2-S2", StoreA), (stop.ShipmentId, stop.LocationId));
        Assert.Single(_h.DeliveredSoFar<FulfillmentCancelled>(m => m.OrderId == "C-2"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Cancelling_a_backordered_order_cancels_its_backordered_units()
    {
        await _h.PlaceAsync("C-3", (A, 2));
        await _h.OrderInAsync("C-3", "Backordered");

        await _h.CancelAsync("C-3");

        var order = await _h.OrderInAsync("C-3", "Cancelled");
        Assert.Equal((2, 0, 2, 0), Counters(order, A));
        Assert.Equal(0, order.BackorderedUnits);
        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-3");
        Assert.Equal((CancellationOutcome.Cancelled, "SKU-A×2", ""), (answer.Outcome, Text(answer.Released), Text(answer.Refused)));
        Assert.Empty(_h.DeliveredSoFar<FulfillmentCancelled>(m => m.OrderId == "C-3"));
        Assert.Equivalent(new[] { "→Backordered", "Backordered→Cancelled" }, await _h.TransitionsAsync("C-3", 2), strict: true);
    }

    [Fact]
    public async Task Cancelling_an_order_with_an_open_shipment_and_a_backorder_releases_both()
    {
        await _h.ReceiveAsync(A, Dc1, 1);
        await _h.PlaceAsync("C-4", (A, 3));
        await _h.OrderWhenAsync("C-4", o => o.CurrentState == "Fulfilling" && o.BackorderedUnits == 2, "partly backordered");

        await _h.CancelAsync("C-4");

        var order = await _h.OrderInAsync("C-4", "Cancelled");
        Assert.Equal((3, 0, 3, 0), Counters(order, A));
        Assert.Equal((1, 0, 0, 1), await _h.SkuBucketsAsync(A, Dc1));
        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-4");
        Assert.Equal((CancellationOutcome.Cancelled, "SKU-A×3"), (answer.Outcome, Text(answer.Released)));
        await _h.DeliveredEventuallyAsync<FulfillmentCancelled>(m => m.ShipmentId == "C-4-S1");
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Cancelling_an_order_that_shipped_what_it_could_and_waits_on_a_backorder_completes_it()
    {
        await _h.ReceiveAsync(A, Dc1, 1);
        await _h.PlaceAsync("C-5", (A, 3));
        await _h.OrderInAsync("C-5", "Fulfilling");
        await _h.DispatchAsync("C-5", Dc1);
        await _h.OrderInAsync("C-5", "Backordered");

        await _h.CancelAsync("C-5");

        var order = await _h.OrderInAsync("C-5", "Completed");
        Assert.Equal((3, 1, 2, 0), Counters(order, A));
        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-5");
        Assert.Equal((CancellationOutcome.PartiallyCancelled, "SKU-A×2", "SKU-A×1"), (answer.Outcome, Text(answer.Released), Text(answer.Refused)));
        Assert.Contains("as a return", answer.RefusalReason, StringComparison.Ordinal);
        Assert.Equivalent(new[] { "→Fulfilling", "Fulfilling→Backordered", "Backordered→Completed" }, await _h.TransitionsAsync("C-5", 3), strict: true);
    }

    [Fact]
    public async Task Cancelling_a_completed_order_is_refused_and_names_the_shipped_units_as_a_return()
    {
        await _h.ReceiveAsync(A, Dc1, 5);
        await _h.PlaceAsync("C-6", (A, 2));
        await _h.OrderInAsync("C-6", "Fulfilling");
        await _h.DispatchAsync("C-6", Dc1);
        await _h.OrderInAsync("C-6", "Completed");

        await _h.CancelAsync("C-6");

        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-6");
        Assert.Equal((CancellationOutcome.Refused, "", "SKU-A×2"), (answer.Outcome, Text(answer.Released), Text(answer.Refused)));
        Assert.Equal("Already shipped: handle these units as a return.", answer.RefusalReason);
        var order = await _h.SagaAsync<OrderFulfillmentState>("C-6");
        Assert.Equal(("Completed", (2, 2, 0, 0)), (order!.CurrentState, Counters(order, A)));
        Assert.Equal((3, 0, 0, 3), await _h.SkuBucketsAsync(A, Dc1));
    }

    [Fact]
    public async Task Cancelling_an_order_that_was_cancelled_or_rejected_is_refused_as_already_ended()
    {
        await _h.PlaceAsync("C-7", (A, 1));
        await _h.OrderInAsync("C-7", "Backordered");
        await _h.CancelAsync("C-7");
        await _h.OrderInAsync("C-7", "Cancelled");
        await _h.PublishAsync(new FulfillOrder { OrderId = "C-8", Lines = [], PlacedAt = _h.Clock.GetUtcNow() });
        await _h.OrderInAsync("C-8", "Rejected");

        await _h.CancelAsync("C-7", "asked twice");
        await _h.CancelAsync("C-8");

        var answers = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId is "C-7" or "C-8", count: 3);
        var again = answers.Single(a => a.OrderId == "C-7" && a.Outcome == CancellationOutcome.Refused);
        Assert.Equal(("", "", "The order has already ended (Cancelled): nothing is held for it."), (Text(again.Released), Text(again.Refused), again.RefusalReason));
        var rejected = answers.Single(a => a.OrderId == "C-8");
        Assert.Equal((CancellationOutcome.Refused, "The order has already ended (Rejected): nothing is held for it."), (rejected.Outcome, rejected.RefusalReason));
        Assert.Equal("Cancelled by oms: customer changed their mind", (await _h.SagaAsync<OrderFulfillmentState>("C-7"))!.Reason);
    }

    [Fact]
    public async Task A_shipment_confirmed_before_the_cancellation_ships_and_the_cancellation_refuses_its_units()
    {
        await _h.ReceiveAsync(A, Dc1, 5);
        await _h.PlaceAsync("C-9", (A, 2));
        await _h.OrderInAsync("C-9", "Fulfilling");

        await _h.DispatchAsync("C-9", Dc1, "C-9-S1");
        await _h.OrderInAsync("C-9", "Completed");
        await _h.CancelAsync("C-9");

        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-9");
        Assert.Equal((CancellationOutcome.Refused, "SKU-A×2"), (answer.Outcome, Text(answer.Refused)));
        Assert.Contains("as a return", answer.RefusalReason, StringComparison.Ordinal);
        Assert.Equal((3, 0, 0, 3), await _h.SkuBucketsAsync(A, Dc1));
        await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "C-9");
        Assert.Single(_h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "C-9"));
        Assert.Empty(_h.DeliveredSoFar<FulfillmentCancelled>(m => m.OrderId == "C-9"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_shipment_confirmed_after_the_cancellation_is_refused_with_advice_to_stop_or_return_the_parcel()
    {
        await _h.ReceiveAsync(A, Dc1, 5);
        await _h.PlaceAsync("C-10", (A, 2));
        await _h.OrderInAsync("C-10", "Fulfilling");

        await _h.CancelAsync("C-10");
        await _h.OrderInAsync("C-10", "Cancelled");
        await _h.DispatchAsync("C-10", Dc1, "C-10-S1", tracking: "TRK-LATE");

        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "C-10");
        Assert.Equal((nameof(ShipmentDispatched), "Cancelled"), (refused.Event, refused.State));
        Assert.Contains("Stop the parcel, or receive it back as a return", refused.Reason, StringComparison.Ordinal);
        var order = await _h.SagaAsync<OrderFulfillmentState>("C-10");
        Assert.Equal(("Cancelled", ShipmentStatus.Cancelled, null), (order!.CurrentState, order.Shipments[0].Status, order.Shipments[0].TrackingNumber));
        Assert.Equal((2, 0, 2, 0), Counters(order, A));
        Assert.Equal((5, 0, 0, 5), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Empty(_h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "C-10"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_cancelled_shipment_confirmed_after_a_partial_cancellation_is_refused_with_advice_to_stop_or_return_the_parcel()
    {
        await SplitOrderAsync("C-11");
        await _h.DispatchAsync("C-11", Dc1, "C-11-S1");
        await _h.OrderWhenAsync("C-11", o => o.Line(A).Shipped == 3, "the DC's shipment shipped");
        await _h.CancelAsync("C-11");
        await _h.OrderInAsync("C-11", "Completed");

        await _h.DispatchAsync("C-11", StoreA, "C-11-S2");

        var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "C-11");
        Assert.Equal((nameof(ShipmentDispatched), "Completed"), (refused.Event, refused.State));
        Assert.Contains("Stop the parcel, or receive it back as a return", refused.Reason, StringComparison.Ordinal);
        Assert.Equal((4, 0, 0, 4), await _h.SkuBucketsAsync(A, StoreA));
        Assert.Equal((1, 0, 0, 1), await _h.SkuBucketsAsync(B, StoreA));
        var order = await _h.SagaAsync<OrderFulfillmentState>("C-11");
        Assert.Equal(ShipmentStatus.Cancelled, order!.Shipments[1].Status);
        await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "C-11");
        Assert.Equal(["shipment:C-11-S1"], _h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "C-11").Select(p => p.PostingId));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task When_a_confirmation_and_a_cancellation_race_the_stock_and_the_answers_agree_on_whichever_won()
    {
        await _h.ReceiveAsync(A, Dc1, 5);
        await _h.PlaceAsync("C-12", (A, 2));
        await _h.OrderInAsync("C-12", "Fulfilling");

        await Task.WhenAll(_h.DispatchAsync("C-12", Dc1, "C-12-S1"), _h.CancelAsync("C-12"));

        var order = await _h.OrderWhenAsync("C-12", o => o.CurrentState is "Completed" or "Cancelled", "an end");
        var answer = await _h.DeliveredEventuallyAsync<OrderCancellationProcessed>(m => m.OrderId == "C-12");
        if (order.CurrentState == "Completed")
        {
            Assert.Equal((CancellationOutcome.Refused, "SKU-A×2"), (answer.Outcome, Text(answer.Refused)));
            Assert.Equal((2, 2, 0, 0), Counters(order, A));
            Assert.Equal((3, 0, 0, 3), await _h.SkuBucketsAsync(A, Dc1));
            await _h.DeliveredEventuallyAsync<ErpPostingRequested>(m => m.OrderId == "C-12");
        }
        else
        {
            Assert.Equal((CancellationOutcome.Cancelled, "SKU-A×2"), (answer.Outcome, Text(answer.Released)));
            Assert.Equal((2, 0, 2, 0), Counters(order, A));
            Assert.Equal((5, 0, 0, 5), await _h.SkuBucketsAsync(A, Dc1));
            var refused = await _h.DeliveredEventuallyAsync<OrderEventRefused>(m => m.OrderId == "C-12");
            Assert.Equal(nameof(ShipmentDispatched), refused.Event);
            Assert.Empty(_h.DeliveredSoFar<ErpPostingRequested>(m => m.OrderId == "C-12"));
        }

        await _h.AssertLedgerMatchesPositionsAsync();
    }

    /// <summary>SKU-A×5 and SKU-B×1: DC-1 ships 3 × SKU-A (S1), STORE-A the other 2 × SKU-A and the SKU-B (S2).</summary>
    private async Task<OrderFulfillmentState> SplitOrderAsync(string orderId)
    {
        await _h.ReceiveAsync(A, Dc1, 3);
        await _h.ReceiveAsync(A, StoreA, 4);
        await _h.ReceiveAsync(B, StoreA, 1);
        await _h.PlaceAsync(orderId, (A, 5), (B, 1));
        var order = await _h.OrderInAsync(orderId, "Fulfilling");
        Assert.Equal([($"{orderId}-S1", Dc1, "Requested", "SKU-A×3"), ($"{orderId}-S2", StoreA, "Requested", "SKU-A×2,SKU-B×1")], ShipmentsOf(order));
        return order;
    }
}
