using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// A click-and-collect order from the storefront's reservation to the customer's collection, over HTTP on RabbitMQ and
/// PostgreSQL, with the position's buckets read back after every step; and the answers a client gets when it asks for
/// something the order cannot do (409), an order that does not exist (404) or sends a bad body (400).
/// </summary>
public sealed class ClickAndCollectOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-CC-1";
    private const string Store = "STORE-CC-1";

    private async Task SetUpAsync()
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Store, new { name = "City", kind = "Store", latitude = 51.5136, longitude = -0.0890 });
        await ReceiveAsync((Sku, Store, 5));
        await AssertBucketsAsync("stocked", Sku, Store, onHand: 5, reserved: 0, allocated: 0, availableToSell: 5);
    }

    [Fact]
    public async Task An_order_runs_from_reservation_to_collection_with_the_buckets_and_the_state_right_at_every_step()
    {
        await SetUpAsync();
        var orderId = $"CC-{Run}-1";
        var path = $"/click-and-collect/{orderId}";

        // Reserved: a soft hold, not yet paid.
        var reserved = await ViewAsync(
            await PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 2 } }, channelId = "web", customerReference = "CUST-1" }),
            "Reserved", "reserve");
        Assert.Equal(Store, reserved["storeId"]!.GetValue<string>());
        Assert.NotNull(reserved["holdExpiresAt"]);
        Assert.Equal("Reserved", State(await GetJsonAsync(path)));
        await AssertBucketsAsync("reserved", Sku, Store, onHand: 5, reserved: 2, allocated: 0, availableToSell: 3);

        // Collecting (or putting ready) before the order is ready is refused with the current state.
        var early = await InvalidTransitionAsync(await PostAsync($"{path}/collected", new { storeId = Store, handoverId = "POS-0" }), "Reserved", "collect before ready");
        Assert.Equal(orderId, early["orderId"]!.GetValue<string>());
        await InvalidTransitionAsync(await PostAsync($"{path}/ready"), "Reserved", "ready before payment");

        // Paid: the hold becomes an allocation and the store is asked to pick.
        var picking = await ViewAsync(await PostAsync($"{path}/payment?wait=10", new { paymentReference = "PAY-1" }), "Picking", "payment");
        Assert.Null(picking["holdExpiresAt"]);
        Assert.NotNull(picking["paidAt"]);
        Assert.Equal($"{orderId}-P1", picking["shipmentId"]!.GetValue<string>());
        Assert.Equal("Picking", State(await GetJsonAsync(path)));
        await AssertBucketsAsync("paid (picking)", Sku, Store, onHand: 5, reserved: 0, allocated: 2, availableToSell: 3);
        await InvalidTransitionAsync(await PostAsync($"{path}/collected", new { storeId = Store }), "Picking", "collect while picking");
        await InvalidTransitionAsync(await PostAsync($"{path}/payment", new { paymentReference = "PAY-1-AGAIN" }), "Picking", "pay twice");

        // Picked.
        await ViewAsync(await PostAsync($"{path}/picked?wait=10", new { storeId = Store }), "Picked", "picked");
        Assert.Equal("Picked", State(await GetJsonAsync(path)));
        await AssertBucketsAsync("picked", Sku, Store, onHand: 5, reserved: 0, allocated: 2, availableToSell: 3);

        // Ready: the pickup window (72 h) and the reminder (48 h) start.
        var ready = await ViewAsync(await PostAsync($"{path}/ready?wait=10", new { storeId = Store }), "ReadyForPickup", "ready");
        var readyAt = ready["readyAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(readyAt.AddHours(72), ready["pickupWindowEndsAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(readyAt.AddHours(48), ready["pickupReminderAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("ReadyForPickup", State(await GetJsonAsync(path)));
        await AssertBucketsAsync("ready for pickup", Sku, Store, onHand: 5, reserved: 0, allocated: 2, availableToSell: 3);

        // Another store's scan is refused; the order's store collects.
        await InvalidTransitionAsync(await PostAsync($"{path}/collected", new { storeId = "STORE-ELSEWHERE" }), "ReadyForPickup", "collect at the wrong store");
        var collected = await ViewAsync(await PostAsync($"{path}/collected?wait=10", new { storeId = Store, handoverId = "POS-1" }), "Collected", "collected");
        Assert.NotNull(collected["collectedAt"]);
        Assert.Null(collected["pickupWindowEndsAt"]);
        Assert.Null(collected["pickupReminderAt"]);
        Assert.Equal("Collected", State(await GetJsonAsync(path)));
        await AssertBucketsAsync("collected", Sku, Store, onHand: 3, reserved: 0, allocated: 0, availableToSell: 3);

        // The ledger tells the order's story, and positions are its sum.
        var ledger = (await Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>($"/inventory/{Sku}/{Store}/ledger"))!;
        Assert.Equal(
            ["FulfillmentShipped", "ReservationCommitted", "StockReserved", "ReceiptPosted"],
            ledger.Select(e => e!["movementType"]!.GetValue<string>()));
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task Unknown_orders_are_404_and_invalid_bodies_are_400_problems_that_change_nothing()
    {
        await SetUpAsync();

        // 404: reading, acting on and cancelling an order nobody placed.
        var unknown = $"CC-{Run}-NOPE";
        var notFound = await ProblemAsync(await Http.GetAsync($"/click-and-collect/{unknown}"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "GET unknown");
        Assert.Contains(unknown, notFound["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await ProblemAsync(await PostAsync($"/click-and-collect/{unknown}/collected", new { storeId = Store }), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "collect unknown");
        await ProblemAsync(await PostAsync($"/click-and-collect/{unknown}/cancel", new { reason = "test" }), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "cancel unknown");

        // 400: quantity 0 names the field.
        var zero = $"CC-{Run}-ZERO";
        var quantityZero = await ProblemAsync(
            await PostAsync("/click-and-collect?wait=2", new { orderId = zero, storeId = Store, lines = new[] { new { sku = Sku, quantity = 0 } } }),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "quantity 0");
        Assert.NotNull(quantityZero["errors"]!["lines[0].quantity"]);

        // 400: a field the contract does not have.
        var extra = $"CC-{Run}-EXTRA";
        var unknownField = await ProblemAsync(
            await PostRawAsync("/click-and-collect?wait=2", $$"""{"orderId":"{{extra}}","storeId":"{{Store}}","lines":[{"sku":"{{Sku}}","quantity":1}],"giftWrap":true}"""),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "unknown field");
        Assert.Contains("giftWrap", unknownField["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // 400: no lines, a duplicate SKU, a missing store.
        var noLines = await ProblemAsync(
            await PostAsync("/click-and-collect", new { orderId = $"CC-{Run}-EMPTY", storeId = Store, lines = Array.Empty<object>() }),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "no lines");
        Assert.NotNull(noLines["errors"]!["lines"]);
        await ProblemAsync(
            await PostAsync("/click-and-collect", new { orderId = $"CC-{Run}-DUP", storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 }, new { sku = Sku, quantity = 1 } } }),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "duplicate SKU");
        await ProblemAsync(
            await PostRawAsync("/click-and-collect", $$"""{"orderId":"CC-{{Run}}-NOSTORE","lines":[{"sku":"{{Sku}}","quantity":1}]}"""),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "missing storeId");

        // 400 on an action: a cancellation needs a reason; a wait beyond 30 s is refused.
        var orderId = $"CC-{Run}-1";
        await ViewAsync(await PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } }), "Reserved", "reserve");
        await ProblemAsync(await PostRawAsync($"/click-and-collect/{orderId}/cancel", "{}"), HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "cancel without reason");
        await ProblemAsync(await PostAsync($"/click-and-collect/{orderId}/payment?wait=31", new { }), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "wait 31");

        // 409: an order id is used once.
        await ProblemAsync(
            await PostAsync("/click-and-collect", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } }),
            HttpStatusCode.Conflict, "urn:stocksync:problem:order-exists", "same order id again");

        // None of the refused requests created an order or touched the stock.
        foreach (var refused in new[] { zero, extra, $"CC-{Run}-EMPTY", $"CC-{Run}-DUP", $"CC-{Run}-NOSTORE" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/click-and-collect/{refused}")).StatusCode);
        }

        Assert.Equal("Reserved", State(await GetJsonAsync($"/click-and-collect/{orderId}")));
        await AssertBucketsAsync("after the refused requests", Sku, Store, onHand: 5, reserved: 1, allocated: 0, availableToSell: 4);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }
}
