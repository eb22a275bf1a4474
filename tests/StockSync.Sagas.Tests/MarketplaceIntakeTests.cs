using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Orders;
using StockSync.Sagas.MarketplaceIntake;
using StockSync.Sagas.OrderFulfillment;
using static StockSync.Sagas.Tests.MarketplaceDriver;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The marketplace intake in the harness: line decisions and the reservations behind them, the first acknowledgment
/// attempt and its deadlines, the hand-over to fulfillment with the held units, rejections with each marketplace's
/// codes, re-delivered orders, cancellations before and after hand-over, and malformed or unknown-marketplace orders.
/// </summary>
public sealed class MarketplaceIntakeTests : IAsyncLifetime
{
    private const string A = "SKU-A";
    private const string B = "SKU-B";
    private const string Dc1 = StandardDc1;
    private const string StoreA = StandardStoreA;
    private const string PickupOnly = StandardPickupOnly;
    private static readonly DateTime Start = SagaHarness.Start.UtcDateTime;
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.StandardLocationsAsync();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task An_order_in_stock_is_reserved_where_sourced_and_acknowledged_with_every_line_accepted_within_the_walmart_window()
    {
        // No location has both SKUs: A comes from DC-1 (first by priority), B from STORE-A.
        await _h.StockAsync((A, Dc1, 10), (B, StoreA, 5));

        var saga = await _h.ReceivedAsync("walmart:PO-1", (A, 2), (B, 1));

        Assert.Equal((Walmart, "PO-1", "walmart:PO-1", 2, 0, null), (saga.Marketplace, saga.MarketplaceOrderId, saga.OrderId, saga.AcceptedLines, saga.RejectedLines, saga.Reason));
        Assert.Equal([(Dc1, A, 2), (StoreA, B, 1)], Held(saga.Reservations));
        Assert.All(saga.Reservations, r => Assert.Equal("walmart:PO-1/intake", r.ReservationId));
        Assert.Equal((Start, Start.AddHours(4), Start.AddHours(4), Start.AddHours(3)), (saga.OrderedAt, saga.AcknowledgeBy, saga.AcknowledgementDueAt, saga.WarningAt));
        Assert.Equal((1, Start, null, null), (saga.Attempts, saga.LastAttemptAt, saga.NextAttemptAt, saga.LastError));
        Assert.Equal((10, 2, 0, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((5, 1, 0, 4), await _h.SkuBucketsAsync(B, StoreA));
        Assert.Equal((0, 0, 0, 0), await _h.SkuBucketsAsync(B, Dc1));

        var ack = await _h.AckRequestAsync("walmart:PO-1");
        Assert.Equal((Walmart, "PO-1", SagaHarness.Start.AddHours(4)), (ack.Marketplace, ack.MarketplaceOrderId, ack.AcknowledgeBy));
        Assert.Equal([("1", MarketplaceLineDecision.Accepted, null), ("2", MarketplaceLineDecision.Accepted, null)], Decisions(ack.Lines));
        Assert.Equal([(A, 2), (B, 1)], ack.Lines.Select(l => (l.Sku, l.Quantity)));
        var announced = await _h.AnnouncedAsync("walmart:PO-1", Awaiting);
        Assert.Equal(string.Empty, announced.PreviousStatus);
        Assert.Equal(
            [("intake", "StockReserved", Dc1, A, null, 2, 0), ("intake", "StockReserved", StoreA, B, null, 1, 0)],
            await _h.LedgerOfAsync("walmart:PO-1"));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task The_window_is_the_marketplace_policy_counted_from_the_order_time_unless_the_order_states_its_own_deadline()
    {
        await _h.StockAsync((A, Dc1, 10));

        // Amazon Vendor: 24 hours from when the order was placed (an hour before it reached StockSync), warning at 75 %.
        var amazon = await _h.ReceivedAsync(Order("amazon-vendor:PO-2", (A, 1)) with { OrderedAt = SagaHarness.Start.AddHours(-1) });
        Assert.Equal((Start.AddHours(-1), Start.AddHours(23), Start.AddHours(17)), (amazon.OrderedAt, amazon.AcknowledgeBy, amazon.WarningAt));
        Assert.Equal(SagaHarness.Start.AddHours(23), (await _h.AckRequestAsync("amazon-vendor:PO-2")).AcknowledgeBy);

        // A deadline the marketplace states wins over the policy's window; the warning is 75 % of that window.
        var stated = await _h.ReceivedAsync(Order("walmart:PO-3", (A, 1)) with { AcknowledgeBy = SagaHarness.Start.AddHours(2) });
        Assert.Equal((Start.AddHours(2), Start.AddHours(2), Start.AddHours(1.5)), (stated.AcknowledgeBy, stated.AcknowledgementDueAt, stated.WarningAt));
        Assert.Equal(SagaHarness.Start.AddHours(2), (await _h.AckRequestAsync("walmart:PO-3")).AcknowledgeBy);
        Assert.Equal((10, 2, 0, 8), await _h.SkuBucketsAsync(A, Dc1));
    }

    [Fact]
    public async Task An_acknowledged_order_is_handed_to_fulfillment_which_allocates_the_held_units_where_they_are_held()
    {
        await _h.StockAsync((A, Dc1, 10), (B, StoreA, 5));
        await _h.ReceivedAsync("walmart:PO-4", (A, 2), (B, 1));
        await _h.AckRequestAsync("walmart:PO-4");

        // Now DC-1 has both SKUs: sourcing afresh would ship everything from it. Fulfillment must take the held units as they are.
        await _h.StockAsync((B, Dc1, 5));
        _h.Clock.Advance(TimeSpan.FromMinutes(3));

        var handed = await _h.HandedOverAsync("walmart:PO-4");

        Assert.Equal((Start.AddMinutes(3), null, null, null), (handed.AcknowledgedAt, handed.AcknowledgementDueAt, handed.WarningAt, handed.NextAttemptAt));
        Assert.Equal(Start.AddHours(4), handed.AcknowledgeBy);
        var fulfill = await _h.PublishedAsync<FulfillOrder>(m => m.OrderId == "walmart:PO-4");
        Assert.Equal(("SKU-A×2,SKU-B×1", Walmart, SagaHarness.Start), (Text(fulfill.Lines), fulfill.ChannelId, fulfill.PlacedAt));
        Assert.Equal([(Dc1, A, 2), (StoreA, B, 1)], Held(fulfill.Reservations));

        var order = await _h.OrderInAsync("walmart:PO-4", "Fulfilling");
        Assert.Equal(
            [("walmart:PO-4-S1", Dc1, "Requested", "SKU-A×2"), ("walmart:PO-4-S2", StoreA, "Requested", "SKU-B×1")],
            ShipmentsOf(order));
        Assert.Equal((Walmart, 0), (order.ChannelId, order.BackorderedUnits));
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((5, 0, 1, 4), await _h.SkuBucketsAsync(B, StoreA));
        Assert.Equal((5, 0, 0, 5), await _h.SkuBucketsAsync(B, Dc1));

        // Fulfillment commits the intake's reservations; it reserves nothing of its own.
        Assert.Equal(
            [
                ("intake", "StockReserved", Dc1, A, null, 2, 0), ("intake", "StockReserved", StoreA, B, null, 1, 0),
                ("fulfillment", "ReservationCommitted", Dc1, A, null, -2, 2), ("fulfillment", "ReservationCommitted", StoreA, B, null, -1, 1),
            ],
            await _h.LedgerOfAsync("walmart:PO-4"));
        var requests = await _h.DeliveredEventuallyAsync<FulfillmentRequested>(m => m.OrderId == "walmart:PO-4", count: 2);
        Assert.Equal([(Dc1, "SKU-A×2"), (StoreA, "SKU-B×1")], requests.OrderBy(r => r.ShipmentId, StringComparer.Ordinal).Select(r => (r.LocationId, Text(r.Lines))));
        Assert.Equal(Awaiting, (await _h.AnnouncedAsync("walmart:PO-4", "HandedOver")).PreviousStatus);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Theory]
    [InlineData(Walmart, "SELLER_CANCEL_OUT_OF_STOCK", "SELLER_CANCEL_OUT_OF_STOCK")]
    [InlineData(AmazonVendor, "TemporarilyUnavailable", "InvalidProductIdentifier")]
    public async Task Lines_without_stock_or_unknown_to_the_item_master_are_rejected_with_the_marketplace_codes_and_the_others_accepted(
        string marketplace, string outOfStock, string unknownProduct)
    {
        // SKU-B is in the item master, but only the pickup-only store has it, and that store never ships.
        await _h.StockAsync((A, Dc1, 5), (B, PickupOnly, 50));
        var orderId = $"{marketplace}:PO-5";

        var saga = await _h.ReceivedAsync(orderId, (A, 2), (B, 1), ("SKU-NOPE", 1));

        var expected = new[] { ("1", MarketplaceLineDecision.Accepted, (string?)null), ("2", MarketplaceLineDecision.Rejected, outOfStock), ("3", MarketplaceLineDecision.Rejected, unknownProduct) };
        Assert.Equal(expected, Decisions(saga.Decisions));
        Assert.Equal(expected, Decisions((await _h.AckRequestAsync(orderId)).Lines));
        Assert.Equal(
            [null, "No location that ships has 1 × SKU-B available.", "SKU SKU-NOPE is not in the item master."],
            saga.Decisions.Select(d => d.Reason));
        Assert.Equal((1, 2), (saga.AcceptedLines, saga.RejectedLines));
        Assert.Equal($"Rejected: line 2 (1 × SKU-B, {outOfStock}), line 3 (1 × SKU-NOPE, {unknownProduct}).", saga.Reason);
        Assert.Equal([(Dc1, A, 2)], Held(saga.Reservations));
        Assert.Equal((5, 2, 0, 3), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((50, 0, 0, 50), await _h.SkuBucketsAsync(B, PickupOnly));

        // Only the accepted line is handed over; the order still says which lines were rejected.
        Assert.Equal(saga.Reason, (await _h.HandedOverAsync(orderId)).Reason);
        var fulfill = await _h.PublishedAsync<FulfillOrder>(m => m.OrderId == orderId);
        Assert.Equal(("SKU-A×2", marketplace), (Text(fulfill.Lines), fulfill.ChannelId));
        await _h.OrderInAsync(orderId, "Fulfilling");
        Assert.Equal((5, 0, 2, 3), await _h.SkuBucketsAsync(A, Dc1));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task Lines_of_one_SKU_are_each_accepted_whole_or_rejected_in_the_marketplace_line_order()
    {
        await _h.StockAsync((A, Dc1, 3));

        // Line 1 wants more than there is; line 2 fits; line 3 would fit only half: none is half-accepted.
        var saga = await _h.ReceivedAsync("walmart:PO-6", (A, 5), (A, 2), (A, 2));

        Assert.Equal(
            [("1", MarketplaceLineDecision.Rejected, "SELLER_CANCEL_OUT_OF_STOCK"), ("2", MarketplaceLineDecision.Accepted, null), ("3", MarketplaceLineDecision.Rejected, "SELLER_CANCEL_OUT_OF_STOCK")],
            Decisions(saga.Decisions));
        Assert.Equal([(Dc1, A, 2)], Held(saga.Reservations));
        Assert.Equal((3, 2, 0, 1), await _h.SkuBucketsAsync(A, Dc1));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task An_order_with_every_line_rejected_is_acknowledged_as_such_and_ends_Rejected_without_fulfillment()
    {
        await _h.StockAsync((A, Dc1, 1));

        var saga = await _h.ReceivedAsync("walmart:PO-7", (A, 2), ("SKU-NOPE", 1));

        Assert.Equal((0, 2), (saga.AcceptedLines, saga.RejectedLines));
        Assert.Empty(saga.Reservations);
        var ack = await _h.AckRequestAsync("walmart:PO-7");
        Assert.All(ack.Lines, l => Assert.Equal((MarketplaceLineDecision.Rejected, "SELLER_CANCEL_OUT_OF_STOCK"), (l.Decision, l.ReasonCode)));
        Assert.Equal((1, 0, 0, 1), await _h.SkuBucketsAsync(A, Dc1));

        await _h.AcknowledgedAsync("walmart:PO-7");

        var rejected = await _h.IntakeInAsync("walmart:PO-7", "Rejected");
        Assert.Equal((Start, null, null), (rejected.AcknowledgedAt, rejected.AcknowledgementDueAt, rejected.WarningAt));
        Assert.Equal("Rejected: line 1 (2 × SKU-A, SELLER_CANCEL_OUT_OF_STOCK), line 2 (1 × SKU-NOPE, SELLER_CANCEL_OUT_OF_STOCK).", rejected.Reason);
        Assert.Equal(Awaiting, (await _h.AnnouncedAsync("walmart:PO-7", "Rejected")).PreviousStatus);
        Assert.Empty(_h.Delivered<FulfillOrder>(m => m.OrderId == "walmart:PO-7"));
        Assert.Null(await _h.SagaAsync<OrderFulfillmentState>("walmart:PO-7"));
        Assert.Empty(await _h.LedgerOfAsync("walmart:PO-7"));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(5)));
    }

    [Fact]
    public async Task A_redelivered_order_starts_nothing_and_holds_nothing_again_before_or_after_hand_over()
    {
        await _h.StockAsync((A, Dc1, 10));
        var first = await _h.ReceivedAsync("walmart:PO-8", (A, 2));

        // The marketplace sends the order again, this time with another line: it is the same order, and nothing changes.
        await _h.PublishAsync(Order("walmart:PO-8", (A, 2), (A, 3)));

        var redelivered = await _h.IntakeWhenAsync("walmart:PO-8", s => s.Redeliveries == 1, "one redelivery");
        Assert.Equal((Awaiting, 1, 1, first.Version + 1), (redelivered.CurrentState, redelivered.Attempts, redelivered.Lines.Count, redelivered.Version));
        Assert.Equal([(Dc1, A, 2)], Held(redelivered.Reservations));
        Assert.Equal((10, 2, 0, 8), await _h.SkuBucketsAsync(A, Dc1));

        await _h.HandedOverAsync("walmart:PO-8");
        await _h.OrderInAsync("walmart:PO-8", "Fulfilling");
        await _h.PublishAsync(Order("walmart:PO-8", (A, 2)));

        var again = await _h.IntakeWhenAsync("walmart:PO-8", s => s.Redeliveries == 2, "a second redelivery");
        Assert.Equal("HandedOver", again.CurrentState);
        Assert.Single(_h.Delivered<AcknowledgeMarketplaceOrder>(m => m.OrderId == "walmart:PO-8"));
        Assert.Single(_h.Delivered<FulfillOrder>(m => m.OrderId == "walmart:PO-8"));
        Assert.Equal((10, 0, 2, 8), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Single(await _h.LedgerOfAsync("walmart:PO-8"), r => r.Type == "StockReserved");
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_marketplace_cancellation_before_acknowledgment_releases_the_held_units_and_late_answers_change_nothing()
    {
        await _h.StockAsync((A, Dc1, 10), (B, StoreA, 5));
        await _h.ReceivedAsync("walmart:PO-9", (A, 2), (B, 1));

        await _h.MarketplaceCancelsAsync("walmart:PO-9");

        var cancelled = await _h.IntakeInAsync("walmart:PO-9", "Cancelled");
        Assert.Equal(("Cancelled by the marketplace: customer cancelled", Start), (cancelled.Reason, cancelled.CancelledAt));
        Assert.Equal((null, null, null), (cancelled.AcknowledgementDueAt, cancelled.WarningAt, cancelled.NextAttemptAt));
        Assert.Empty(cancelled.Reservations);
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((5, 0, 0, 5), await _h.SkuBucketsAsync(B, StoreA));
        Assert.Equal(
            [(Dc1, A, "MARKETPLACE_CANCELLED", -2), (StoreA, B, "MARKETPLACE_CANCELLED", -1)],
            (await _h.LedgerOfAsync("walmart:PO-9")).Where(r => r.Type == "ReservationReleased").Select(r => (r.Location, r.Sku, r.Reason, r.Reserved)));

        // The marketplace's answer to the attempt made before the cancellation arrives late: ignored, nothing handed over.
        await _h.AcknowledgedAsync("walmart:PO-9");
        await _h.ConsumedAsync<MarketplaceOrderAcknowledged>(m => m.MarketplaceOrderId == "PO-9");
        var after = (await _h.SagaAsync<MarketplaceOrderState>("walmart:PO-9"))!;
        Assert.Equal(("Cancelled", cancelled.Version, null), (after.CurrentState, after.Version, after.AcknowledgedAt));
        Assert.Empty(_h.Delivered<FulfillOrder>(m => m.OrderId == "walmart:PO-9"));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(5)));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task After_hand_over_a_marketplace_cancellation_is_passed_to_fulfillment_which_releases_the_allocation()
    {
        await _h.StockAsync((A, Dc1, 10));
        await _h.ReceivedAsync("walmart:PO-10", (A, 2));
        await _h.HandedOverAsync("walmart:PO-10");
        await _h.OrderInAsync("walmart:PO-10", "Fulfilling");

        await _h.MarketplaceCancelsAsync("walmart:PO-10", "fraud check failed");

        var cancel = await _h.PublishedAsync<CancelOrder>(m => m.OrderId == "walmart:PO-10");
        Assert.Equal(("Cancelled by walmart: fraud check failed", Walmart), (cancel.Reason, cancel.RequestedBy));
        var order = await _h.OrderInAsync("walmart:PO-10", "Cancelled");
        Assert.Equal((2, 0, 2, 0), Counters(order, A));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
        var answer = await _h.PublishedAsync<OrderCancellationProcessed>(m => m.OrderId == "walmart:PO-10");
        Assert.Equal((CancellationOutcome.Cancelled, "SKU-A×2"), (answer.Outcome, Text(answer.Released)));

        var intake = await _h.IntakeWhenAsync("walmart:PO-10", s => s.CancelledAt is not null, "the cancellation recorded");
        Assert.Equal("HandedOver", intake.CurrentState);
        Assert.Equal("Cancelled by the marketplace after hand-over: fraud check failed; fulfillment releases what has not shipped.", intake.Reason);
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_malformed_order_is_recorded_Invalid_with_the_reason_and_nothing_is_held_or_acknowledged()
    {
        await _h.StockAsync((A, Dc1, 10));
        var repeated = Order("walmart:PO-11", (A, 1), (A, 1));
        repeated = repeated with { Lines = [.. repeated.Lines.Select(l => l with { LineNumber = "1" })] };

        var duplicate = await _h.ReceivedAsync(repeated, "Invalid");
        var zero = await _h.ReceivedAsync(Order("walmart:PO-12", (A, 0)), "Invalid");

        Assert.Contains("Line number '1' appears more than once.", duplicate.Reason, StringComparison.Ordinal);
        Assert.Contains("lines[0].quantity", zero.Reason, StringComparison.Ordinal);
        Assert.All([duplicate, zero], s =>
        {
            Assert.StartsWith("Invalid marketplace order", s.Reason, StringComparison.Ordinal);
            Assert.Equal((0, null, null, 0), (s.Attempts, s.AcknowledgementDueAt, s.WarningAt, s.Reservations.Count));
        });
        await _h.AnnouncedAsync("walmart:PO-12", "Invalid");
        Assert.Empty(_h.Delivered<AcknowledgeMarketplaceOrder>(m => m.Marketplace == Walmart));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(5)));
    }

    [Fact]
    public async Task An_order_whose_ids_are_too_long_to_record_is_refused_without_a_row()
    {
        await _h.StockAsync((A, Dc1, 10));
        var longId = "walmart:" + new string('9', OrderIds.MaxLength);

        await _h.PublishAsync(Order(longId, (A, 1)));

        var refusal = await _h.PublishedAsync<OrderEventRefused>(m => m.Event == nameof(MarketplaceOrderReceived));
        Assert.Equal((OrderFlow.MarketplaceOrderIntake, longId), (refusal.Flow, refusal.OrderId));
        Assert.Contains("too long to record", refusal.Reason, StringComparison.Ordinal);
        Assert.Null(await _h.SagaAsync<MarketplaceOrderState>(longId));
        Assert.Empty(_h.Delivered<AcknowledgeMarketplaceOrder>(m => m.Marketplace == Walmart));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
    }

    [Fact]
    public async Task An_order_of_a_marketplace_without_a_policy_faults_naming_the_setting_to_add()
    {
        await _h.StockAsync((A, Dc1, 10));

        await _h.PublishAsync(Order("ebay:PO-13", (A, 1)));

        var fault = await _h.FaultAsync<MarketplaceOrderReceived>(m => m.MarketplaceOrderId == "PO-13");
        Assert.Contains("add Marketplaces:Policies:ebay", FaultMessage<UnknownMarketplaceException>(fault), StringComparison.Ordinal);
        Assert.Null(await _h.SagaAsync<MarketplaceOrderState>("ebay:PO-13"));
        Assert.Equal((10, 0, 0, 10), await _h.SkuBucketsAsync(A, Dc1));
    }

    [Fact]
    public async Task An_answer_about_an_order_no_intake_has_faults_naming_the_order()
    {
        // An unknown order is retried for a while first (it may have overtaken its order): here, briefly.
        await using var h = await SagaHarness.StartAsync(configure: s => s.Configure<OrderFlowOptions>(o => o.UnknownOrderRetryIntervals = [TimeSpan.FromMilliseconds(10)]));

        await h.AcknowledgedAsync("walmart:PO-404");

        var fault = await h.FaultAsync<MarketplaceOrderAcknowledged>(m => m.MarketplaceOrderId == "PO-404");
        Assert.Contains("names walmart order 'PO-404', which no marketplace intake has", FaultMessage<UnknownOrderException>(fault), StringComparison.Ordinal);
        Assert.Null(await h.SagaAsync<MarketplaceOrderState>("walmart:PO-404"));
    }
}
