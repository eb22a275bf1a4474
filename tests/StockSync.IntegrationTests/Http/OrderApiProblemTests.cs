using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Http;

/// <summary>
/// The order endpoints on the embedded default (in-memory transport, SQLite): every way a client can get a request
/// wrong answers with problem details, and none of them creates or changes an order.
/// </summary>
public sealed class OrderApiProblemTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: false, DatabaseProvider.Sqlite);
        output.WriteLine($"Running against {_host.Description}");
        _client = _host.CreateClient();
        (await _client.PutAsJsonAsync("/catalog/items/SKU-1", new { description = "Shoe" })).EnsureSuccessStatusCode();
        (await _client.PutAsJsonAsync("/catalog/locations/STORE-1", new { kind = "Store", latitude = 51.5, longitude = -0.1, shipsToCustomers = true })).EnsureSuccessStatusCode();
        await PostJsonAsync("/movements", """{"type":"ReceiptPosted","sourceSystem":"erp","sourceMessageId":"GRN-1","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1","locationId":"STORE-1","quantity":5}""");

        // The receipt travels over the bus to the ledger: wait until it is applied before ordering against it.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await _client.GetFromJsonAsync<JsonObject>("/inventory/SKU-1"))!["locations"]!.AsArray() is not [{ } position] || position["onHand"]!.GetValue<int>() != 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "The receipt was not applied.");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("/click-and-collect", """{"orderId":"CC-1","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":0}]}""", "lines[0].quantity")]
    [InlineData("/click-and-collect", """{"orderId":"CC-1","storeId":"STORE-1","lines":[]}""", "lines")]
    [InlineData("/click-and-collect", """{"orderId":"CC-1","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":1},{"sku":"SKU-1","quantity":2}]}""", "lines")]
    [InlineData("/click-and-collect", """{"orderId":"","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":1}]}""", "orderId")]
    [InlineData("/orders", """{"orderId":"SO-1","lines":[{"sku":"SKU-1","quantity":100001}]}""", "lines[0].quantity")]
    [InlineData("/orders", """{"orderId":"SO-THAT-IS-LONGER-THAN-SIXTY-FOUR-CHARACTERS-0123456789-0123456789-0123456789","lines":[{"sku":"SKU-1","quantity":1}]}""", "orderId")]
    public async Task An_invalid_order_is_refused_with_a_400_naming_the_field(string path, string body, string field)
    {
        var response = await PostJsonAsync(path, body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input");
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/click-and-collect/CC-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/orders/SO-1")).StatusCode);
    }

    [Theory]
    [InlineData("""{"orderId":"CC-1","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":1}],"giftWrap":true}""", "giftWrap")]
    [InlineData("""{"orderId":"CC-1","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":"1"}]}""", "quantity")]
    [InlineData("""{"orderId":"CC-1","lines":[{"sku":"SKU-1","quantity":1}]}""", "storeId")]
    [InlineData("""{"orderId":"CC-1", "storeId": """, "")]
    public async Task A_body_that_does_not_read_as_the_request_is_a_400_malformed_json(string body, string mentions)
    {
        var response = await PostJsonAsync("/click-and-collect", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json");
        Assert.Contains(mentions, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/click-and-collect/CC-1")).StatusCode);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        var response = await _client.PostAsync("/orders", new StringContent("orderId=SO-1", Encoding.UTF8, "text/plain"));

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "urn:stocksync:problem:unsupported-media-type");
    }

    [Theory]
    [InlineData("/click-and-collect/NOPE")]
    [InlineData("/orders/NOPE")]
    public async Task Reading_an_unknown_order_is_a_404(string path) =>
        await ProblemAsync(await _client.GetAsync(path), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found");

    [Theory]
    [InlineData("/click-and-collect/NOPE/payment", "")]
    [InlineData("/click-and-collect/NOPE/collected", "")]
    [InlineData("/click-and-collect/NOPE/cancel", """{"reason":"changed mind"}""")]
    [InlineData("/orders/NOPE/cancel", """{"reason":"changed mind"}""")]
    [InlineData("/orders/NOPE/shipments/NOPE-S1/dispatched", "")]
    public async Task An_action_on_an_unknown_order_is_a_404(string path, string body)
    {
        var response = body.Length == 0 ? await _client.PostAsync(path, null) : await PostJsonAsync(path, body);

        await ProblemAsync(response, HttpStatusCode.NotFound, "urn:stocksync:problem:not-found");
    }

    [Fact]
    public async Task Impossible_actions_answer_409_with_the_current_state_and_change_nothing()
    {
        var reserved = await PostJsonAsync("/click-and-collect?wait=10", """{"orderId":"CC-9","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":2}]}""");
        Assert.Equal(HttpStatusCode.OK, reserved.StatusCode);
        Assert.Equal("Reserved", (await reserved.Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());

        var collect = await ProblemAsync(await _client.PostAsync("/click-and-collect/CC-9/collected", null), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition");
        Assert.Equal("Reserved", collect["currentState"]!.GetValue<string>());
        Assert.Contains("ready for pickup", collect["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var ready = await ProblemAsync(await _client.PostAsync("/click-and-collect/CC-9/ready", null), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition");
        Assert.Equal("Reserved", ready["currentState"]!.GetValue<string>());

        var again = await PostJsonAsync("/click-and-collect", """{"orderId":"CC-9","storeId":"STORE-1","lines":[{"sku":"SKU-1","quantity":1}]}""");
        await ProblemAsync(again, HttpStatusCode.Conflict, "urn:stocksync:problem:order-exists");
        var sameIdAsShipped = await PostJsonAsync("/orders", """{"orderId":"CC-9","lines":[{"sku":"SKU-1","quantity":1}]}""");
        await ProblemAsync(sameIdAsShipped, HttpStatusCode.Conflict, "urn:stocksync:problem:order-exists");

        var paid = await PostJsonAsync("/click-and-collect/CC-9/payment", """{"paymentReference":"PSP-1"}""");
        Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
        await WaitForStateAsync("CC-9", "Picking");
        var otherStore = await PostJsonAsync("/click-and-collect/CC-9/ready", """{"storeId":"STORE-2"}""");
        var problem = await ProblemAsync(otherStore, HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition");
        Assert.Contains("STORE-1, not STORE-2", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var shortPick = await PostJsonAsync("/click-and-collect/CC-9/short-picked", """{"missingLines":[{"sku":"SKU-1","quantity":3}]}""");
        await ProblemAsync(shortPick, HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input");

        var order = await _client.GetFromJsonAsync<JsonObject>("/click-and-collect/CC-9");
        Assert.Equal("Picking", order!["state"]!.GetValue<string>());
        var position = (await _client.GetFromJsonAsync<JsonObject>("/inventory/SKU-1"))!["locations"]![0]!;
        Assert.Equal((5, 0, 2), (position["onHand"]!.GetValue<int>(), position["reserved"]!.GetValue<int>(), position["allocated"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_shipment_action_names_a_shipment_of_the_order_and_a_wait_is_bounded()
    {
        var placed = await PostJsonAsync("/orders?wait=10", """{"orderId":"SO-7","lines":[{"sku":"SKU-1","quantity":1}]}""");
        var order = await placed.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Fulfilling", order!["state"]!.GetValue<string>());
        Assert.Equal("SO-7-S1", order["shipments"]![0]!["shipmentId"]!.GetValue<string>());

        await ProblemAsync(await _client.PostAsync("/orders/SO-7/shipments/SO-7-S9/dispatched", null), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found");
        var badWait = await _client.PostAsync("/orders/SO-7/shipments/SO-7-S1/dispatched?wait=31", null);
        var problem = await ProblemAsync(badWait, HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("wait"));

        var dispatched = await _client.PostAsync("/orders/SO-7/shipments/SO-7-S1/dispatched?wait=10", null);
        Assert.Equal("Completed", (await dispatched.Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());
        var twice = await ProblemAsync(await _client.PostAsync("/orders/SO-7/shipments/SO-7-S1/dispatched", null), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition");
        Assert.Contains("already Shipped", twice["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var cancel = await ProblemAsync(await PostJsonAsync("/orders/SO-7/cancel", """{"reason":"too late"}"""), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition");
        Assert.Contains("handle them as a return", cancel["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        _client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task WaitForStateAsync(string orderId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await _client.GetFromJsonAsync<JsonObject>($"/click-and-collect/{orderId}"))!["state"]!.GetValue<string>() != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{orderId} did not reach {state}.");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(type, problem["type"]!.GetValue<string>());
        return problem;
    }
}
