using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// Returns end to end over HTTP on RabbitMQ and PostgreSQL: a returned unit is not sellable until it is inspected and
/// restocked, and a damaged one never is. Available-to-sell is read from <c>GET /inventory</c> before and after.
/// </summary>
public sealed class ReturnsOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    [Fact]
    public async Task A_returned_unit_is_sellable_only_after_inspection_restocks_it_and_a_damaged_one_never()
    {
        var sku = $"SKU-{Run}";
        var store = $"STORE-{Run}";
        await PutItemAsync(sku);
        await PutLocationAsync(store, new { kind = "Store" });
        await ReceiveAsync((sku, store, 3));
        await AssertBucketsAsync("before the returns", sku, store, onHand: 3, reserved: 0, allocated: 0, availableToSell: 3);

        var received = await PostAsync("/returns?wait=10", new { returnId = $"RMA-{Run}", locationId = store, lines = new[] { new { sku, quantity = 2 } }, orderId = $"ORD-{Run}", reason = "wrong size" });
        var view = await ViewAsync(received, "AwaitingInspection", "receiving the return");
        Assert.Equal(2, Number(view, "uninspectedUnits"));
        await AssertBucketsAsync("returned, not inspected", sku, store, onHand: 5, reserved: 0, allocated: 0, availableToSell: 3);

        var restocked = await PostAsync($"/returns/RMA-{Run}/inspection?wait=10", new { lines = new[] { new { sku, quantity = 1, disposition = "Restock" } }, inspectedBy = "inspector-7" });
        view = await ViewAsync(restocked, "AwaitingInspection", "restocking one unit");
        Assert.Equal(1, Number(view, "uninspectedUnits"));
        await AssertBucketsAsync("one unit restocked", sku, store, onHand: 5, reserved: 0, allocated: 0, availableToSell: 4);

        var damaged = await PostAsync($"/returns/RMA-{Run}/inspection?wait=10", new { lines = new[] { new { sku, quantity = 1, disposition = "Damaged" } } });
        await ViewAsync(damaged, "Inspected", "inspecting the other unit as damaged");
        await AssertBucketsAsync("the damaged unit stays unsellable", sku, store, onHand: 5, reserved: 0, allocated: 0, availableToSell: 4);
        var location = (await GetJsonAsync($"/inventory/{sku}"))["locations"]![0]!;
        Assert.Equal((1, 0), (Number(location, "damaged"), Number(location, "quarantine")));

        var again = await PostAsync($"/returns/RMA-{Run}/inspection", new { lines = new[] { new { sku, quantity = 1, disposition = "Restock" } } });
        await InvalidTransitionAsync(again, "Inspected", "inspecting a fully inspected return");
        var unknown = await PostAsync("/returns/RMA-NOPE/inspection", new { lines = new[] { new { sku, quantity = 1, disposition = "Restock" } } });
        await ProblemAsync(unknown, HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "inspecting an unknown return");
        var badDisposition = await PostRawAsync($"/returns/RMA-{Run}/inspection", $$"""{"lines":[{"sku":"{{sku}}","quantity":1,"disposition":"Resell"}]}""");
        await ProblemAsync(badDisposition, HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "an unknown disposition");

        var read = await Http.GetFromJsonAsync<JsonObject>($"/returns/RMA-{Run}");
        Assert.Equal(2, read!["inspected"]!.AsArray().Count);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }
}
