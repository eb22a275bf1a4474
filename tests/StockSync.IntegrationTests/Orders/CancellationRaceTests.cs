using System.Net;
using System.Text.Json.Nodes;
using StockSync.Contracts.Orders;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// A cancellation and the store's last action arrive close together, in either order, over HTTP: whichever the order
/// took first wins, the other is refused with the current state (a collected or dispatched order is a return, not a
/// cancellation), and the stock says the same. Then both are fired at once, and the stock matches whichever won.
/// </summary>
public sealed class CancellationRaceTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-CANCEL";
    private const string Store = "STORE-CANCEL";
    private const string Dc = "DC-CANCEL";

    private async Task SetUpAsync(int storeStock, int dcStock)
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Store, new { name = "Store", kind = "Store", latitude = 51.51, longitude = -0.09 });
        await PutLocationAsync(Dc, new { name = "DC", kind = "DistributionCenter" });
        await ReceiveAsync((Sku, Store, storeStock), (Sku, Dc, dcStock));
    }

    /// <summary>A click-and-collect order of one unit, paid, picked and put ready for pickup.</summary>
    private async Task<string> ReadyForPickupAsync(string orderId)
    {
        var path = $"/click-and-collect/{orderId}";
        await ViewAsync(await PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } }), "Reserved", $"{orderId} reserve");
        await ViewAsync(await PostAsync($"{path}/payment?wait=10"), "Picking", $"{orderId} payment");
        await ViewAsync(await PostAsync($"{path}/picked?wait=10"), "Picked", $"{orderId} picked");
        await ViewAsync(await PostAsync($"{path}/ready?wait=10"), "ReadyForPickup", $"{orderId} ready");
        return path;
    }

    /// <summary>A shipped order of <paramref name="quantity"/> units, all from the DC (one shipment, S1).</summary>
    private async Task<string> PlacedAsync(string orderId, int quantity)
    {
        var placed = await ViewAsync(await PostAsync("/orders?wait=10", new { orderId, lines = new[] { new { sku = Sku, quantity } } }), "Fulfilling", $"{orderId} place");
        var shipment = Assert.Single(placed["shipments"]!.AsArray());
        Assert.Equal((Dc, $"{orderId}-S1"), (shipment!["locationId"]!.GetValue<string>(), shipment["shipmentId"]!.GetValue<string>()));
        return $"/orders/{orderId}";
    }

    [Fact]
    public async Task Click_and_collect_cancelled_first_refuses_the_collection_and_collected_first_refuses_the_cancellation()
    {
        await SetUpAsync(storeStock: 5, dcStock: 0);

        // Cancel arrives first: the allocation goes back on sale; the handover scan that follows is refused.
        var first = await ReadyForPickupAsync($"CC-{Run}-CANCEL-FIRST");
        await AssertBucketsAsync("ready", Sku, Store, onHand: 5, reserved: 0, allocated: 1, availableToSell: 4);
        var released = await ViewAsync(await PostAsync($"{first}/cancel?wait=10", new { reason = "customer changed their mind", requestedBy = "storefront" }), "Released", "cancel");
        Assert.Contains("customer changed their mind", released["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertBucketsAsync("cancelled", Sku, Store, onHand: 5, reserved: 0, allocated: 0, availableToSell: 5);
        var late = await InvalidTransitionAsync(await PostAsync($"{first}/collected", new { storeId = Store, handoverId = "POS-LATE" }), "Released", "collect after cancel");
        Assert.Contains("Released", late["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Released", State(await GetJsonAsync(first)));
        await AssertBucketsAsync("collect refused", Sku, Store, onHand: 5, reserved: 0, allocated: 0, availableToSell: 5);

        // Collected first: the units left with the customer; the cancellation that follows is a return.
        var second = await ReadyForPickupAsync($"CC-{Run}-COLLECT-FIRST");
        await ViewAsync(await PostAsync($"{second}/collected?wait=10", new { storeId = Store, handoverId = "POS-1" }), "Collected", "collect");
        await AssertBucketsAsync("collected", Sku, Store, onHand: 4, reserved: 0, allocated: 0, availableToSell: 4);
        var refused = await InvalidTransitionAsync(await PostAsync($"{second}/cancel", new { reason = "too late" }), "Collected", "cancel after collect");
        Assert.Contains("handle it as a return", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Collected", State(await GetJsonAsync(second)));
        await AssertBucketsAsync("cancel refused", Sku, Store, onHand: 4, reserved: 0, allocated: 0, availableToSell: 4);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_shipped_order_cancelled_first_refuses_the_dispatch_and_dispatched_first_refuses_the_cancellation()
    {
        await SetUpAsync(storeStock: 0, dcStock: 10);

        // Cancel first: the allocation is released; the dispatch confirmation that follows is refused.
        var first = await PlacedAsync($"SO-{Run}-CANCEL-FIRST", 2);
        await AssertBucketsAsync("placed", Sku, Dc, onHand: 10, reserved: 0, allocated: 2, availableToSell: 8);
        var cancelled = await ViewAsync(await PostAsync($"{first}/cancel?wait=10", new { reason = "fraud check failed", requestedBy = "oms" }), "Cancelled", "cancel");
        Assert.Equal("Cancelled", Assert.Single(cancelled["shipments"]!.AsArray())!["status"]!.GetValue<string>());
        Assert.Equal(2, cancelled["lines"]![0]!["cancelled"]!.GetValue<int>());
        await AssertBucketsAsync("cancelled", Sku, Dc, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
        var late = await InvalidTransitionAsync(await PostAsync($"{first}/shipments/SO-{Run}-CANCEL-FIRST-S1/dispatched", new { trackingNumber = "TRK-LATE" }), "Cancelled", "dispatch after cancel");
        Assert.Contains("was cancelled", late["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Cancelled", State(await GetJsonAsync(first)));
        await AssertBucketsAsync("dispatch refused", Sku, Dc, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);

        // Dispatched first: the order completed; the cancellation that follows must be handled as a return.
        var second = await PlacedAsync($"SO-{Run}-DISPATCH-FIRST", 3);
        await ViewAsync(await PostAsync($"{second}/shipments/SO-{Run}-DISPATCH-FIRST-S1/dispatched?wait=10", new { trackingNumber = "TRK-1" }), "Completed", "dispatch");
        await AssertBucketsAsync("dispatched", Sku, Dc, onHand: 7, reserved: 0, allocated: 0, availableToSell: 7);
        var refused = await InvalidTransitionAsync(await PostAsync($"{second}/cancel", new { reason = "too late" }), "Completed", "cancel after dispatch");
        Assert.Contains("handle them as a return", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Completed", State(await GetJsonAsync(second)));
        await AssertBucketsAsync("cancel refused", Sku, Dc, onHand: 7, reserved: 0, allocated: 0, availableToSell: 7);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task Cancellation_and_the_last_action_fired_together_leave_stock_that_matches_whichever_won()
    {
        const int Races = 8;
        await SetUpAsync(storeStock: Races, dcStock: Races);
        var refusals = await SubscribeAsync<OrderEventRefused>();
        var cancellations = await SubscribeAsync<OrderCancellationProcessed>();
        var outcomes = new List<string>();
        int storeOnHand = Races, dcOnHand = Races;

        async Task<string> Refused(string orderId, string @event) =>
            (await refusals.WaitForAsync(m => m.OrderId == orderId && m.Event == @event, $"refusing the late {@event} of {orderId}")).Reason;
        async Task<string> CancellationRefused(string orderId) =>
            (await cancellations.WaitForAsync(m => m.OrderId == orderId && m.Outcome == CancellationOutcome.Refused, $"refusing the late cancellation of {orderId}")).RefusalReason!;

        for (var i = 1; i <= Races; i++)
        {
            // Click and collect: cancel and collected at once. Both may be accepted (the API checks the state it read);
            // the saga takes one and refuses the other.
            var ccOrder = $"CC-{Run}-RACE-{i}";
            var cc = await ReadyForPickupAsync(ccOrder);
            var (cancel, collect) = await BothAsync(
                () => PostAsync($"{cc}/cancel", new { reason = "race" }),
                () => PostAsync($"{cc}/collected", new { storeId = Store }));
            var ccFinal = await SettledAsync(cc, "Released", "Collected");
            if (State(ccFinal) == "Released")
            {
                await AssertLoserAsync(collect, "Released", () => Refused(ccOrder, nameof(OrderCollected)));
            }
            else
            {
                await AssertLoserAsync(cancel, "Collected", () => CancellationRefused(ccOrder));
            }

            storeOnHand -= State(ccFinal) == "Collected" ? 1 : 0;
            await AssertBucketsAsync($"click-and-collect race {i} ({State(ccFinal)})", Sku, Store, onHand: storeOnHand, reserved: 0, allocated: 0, availableToSell: storeOnHand);

            // Shipped order: cancel and dispatched at once.
            var soOrder = $"SO-{Run}-RACE-{i}";
            var so = await PlacedAsync(soOrder, 1);
            var (cancelOrder, dispatch) = await BothAsync(
                () => PostAsync($"{so}/cancel", new { reason = "race" }),
                () => PostAsync($"{so}/shipments/{soOrder}-S1/dispatched", new { trackingNumber = $"TRK-{i}" }));
            var soFinal = await SettledAsync(so, "Cancelled", "Completed");
            if (State(soFinal) == "Cancelled")
            {
                await AssertLoserAsync(dispatch, "Cancelled", () => Refused(soOrder, nameof(ShipmentDispatched)));
            }
            else
            {
                await AssertLoserAsync(cancelOrder, "Completed", () => CancellationRefused(soOrder));
            }

            dcOnHand -= State(soFinal) == "Completed" ? 1 : 0;
            await AssertBucketsAsync($"shipped-order race {i} ({State(soFinal)})", Sku, Dc, onHand: dcOnHand, reserved: 0, allocated: 0, availableToSell: dcOnHand);
            var line = soFinal["lines"]![0]!;
            Assert.Equal(State(soFinal) == "Completed" ? (1, 0) : (0, 1), (Number(line, "shipped"), Number(line, "cancelled")));
            outcomes.Add($"{State(ccFinal)}/{State(soFinal)}");
        }

        Log($"outcomes (click-and-collect/shipped): {string.Join(", ", outcomes)}");
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    /// <summary>Fires both requests at the same moment.</summary>
    private static async Task<(HttpResponseMessage, HttpResponseMessage)> BothAsync(Func<Task<HttpResponseMessage>> a, Func<Task<HttpResponseMessage>> b)
    {
        using var start = new SemaphoreSlim(0, 2);
        async Task<HttpResponseMessage> When(Func<Task<HttpResponseMessage>> request)
        {
            await start.WaitAsync();
            return await request();
        }

        var first = When(a);
        var second = When(b);
        start.Release(2);
        return (await first, await second);
    }

    /// <summary>Polls until the order is in one of the final states.</summary>
    private async Task<JsonObject> SettledAsync(string path, params string[] finalStates)
    {
        JsonObject? view = null;
        await EventuallyAsync(
            async () =>
            {
                view = await GetJsonAsync(path);
                return Array.IndexOf(finalStates, State(view)) >= 0;
            },
            () => $"{path} to end in {string.Join(" or ", finalStates)} (last: {Json(view)})");
        return view!;
    }

    /// <summary>
    /// The request that lost was either refused at once (409 with the winner's state), or accepted (202) and then
    /// refused by the saga, which answers on the bus; either way it has been dealt with before the stock is read.
    /// </summary>
    private async Task AssertLoserAsync(HttpResponseMessage loser, string winnerState, Func<Task<string>> refusedBySaga)
    {
        var text = await loser.Content.ReadAsStringAsync();
        if (loser.StatusCode == HttpStatusCode.Conflict)
        {
            Log($"the loser was refused by the API: {text}");
            Assert.Equal(winnerState, JsonNode.Parse(text)!["currentState"]!.GetValue<string>());
            return;
        }

        Assert.True(loser.StatusCode == HttpStatusCode.Accepted, $"the loser should be 409 or 202, got {(int)loser.StatusCode} {text}");
        try
        {
            Log($"the loser was accepted by the API and refused by the saga: {await refusedBySaga()}");
        }
        catch (TimeoutException)
        {
            await AssertNothingFaultedAsync(); // names the fault, if the message ended in an error queue instead
            throw;
        }
    }
}
