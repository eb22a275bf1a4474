using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Http;

/// <summary>
/// The HTTP API on the embedded default (in-memory transport and a SQLite file): the README's first run, and every
/// way a client can get a request wrong, answered with problem details and no effect.
/// </summary>
public sealed class EmbeddedDefaultApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: false, DatabaseProvider.Sqlite);
        output.WriteLine($"Running against {_host.Description}");
        _client = _host.CreateClient();
        (await _client.PutAsJsonAsync("/catalog/items/SKU-1001", new { description = "Trail shoe" })).EnsureSuccessStatusCode();
        (await _client.PutAsJsonAsync("/catalog/locations/STORE-001", new { name = "City", kind = "Store" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_posted_receipt_and_sale_change_the_position_read_back_over_http()
    {
        var receipt = await PostAsync("""{"type":"ReceiptPosted","sourceSystem":"erp","sourceMessageId":"GRN-1","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":10}""");
        Assert.Equal(HttpStatusCode.Accepted, receipt.StatusCode);
        await WaitForOnHandAsync(10);

        var sale = await PostAsync("""{"type":"SaleRecorded","sourceSystem":"pos:store-001","sourceMessageId":"T-1","occurredAt":"2026-11-23T09:05:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":1}""");
        Assert.Equal(HttpStatusCode.Accepted, sale.StatusCode);
        var position = await WaitForOnHandAsync(9);

        Assert.Equal(9, position["availableToSell"]!.GetValue<int>());
        var ledger = await _client.GetFromJsonAsync<JsonArray>("/inventory/SKU-1001/STORE-001/ledger");
        Assert.Equal(["SaleRecorded", "ReceiptPosted"], ledger!.Select(e => e!["movementType"]!.GetValue<string>()));
        Assert.Equal(-1, ledger![0]!["delta"]!["onHand"]!.GetValue<int>());
        var check = await _client.GetFromJsonAsync<JsonObject>("/inventory/projection-check");
        Assert.True(check!["consistent"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_array_of_movements_is_refused_whole_when_one_is_invalid()
    {
        var response = await PostAsync("""
            [
              {"type":"ReceiptPosted","sourceSystem":"erp","sourceMessageId":"GRN-2","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":10},
              {"type":"SaleRecorded","sourceSystem":"pos","sourceMessageId":"T-2","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":0}
            ]
            """);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-movement");
        Assert.Equal("The quantity must be positive.", problem["errors"]!["[1].quantity"]![0]!.GetValue<string>());
        await Task.Delay(300);
        var inventory = await _client.GetFromJsonAsync<JsonObject>("/inventory/SKU-1001");
        Assert.Empty(inventory!["locations"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"type":"SaleRecorded","sourceSystem":"pos","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":1}""", "urn:stocksync:problem:invalid-movement", "sourceMessageId")]
    [InlineData("""{"type":"Teleported","sourceSystem":"pos","sourceMessageId":"x","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":1}""", "urn:stocksync:problem:invalid-movement", "Unknown movement type 'Teleported'")]
    [InlineData("""{"type":"SaleRecorded","sourceSystem":"pos","sourceMessageId":"x","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":1,"discount":5}""", "urn:stocksync:problem:invalid-movement", "discount")]
    [InlineData("""{"type":"SaleRecorded","sourceSystem":"pos","sourceMessageId":"x","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":"1"}""", "urn:stocksync:problem:invalid-movement", "quantity")]
    [InlineData("""{"type":"InventoryAdjusted","sourceSystem":"erp","sourceMessageId":"x","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":3}""", "urn:stocksync:problem:invalid-movement", "reasonCode")]
    [InlineData("""{"type":"SaleRecorded","sourceSystem":"pos","sourceMessageId":"x","occurredAt":"2026-11-23T09:00:00Z","sku":"SKU-1001","locationId":"STORE-001","quantity":99999999}""", "urn:stocksync:problem:invalid-movement", "cannot exceed")]
    [InlineData("""{"type":"SaleRecorded", "sourceSystem": """, "urn:stocksync:problem:malformed-json", "")]
    public async Task Bad_input_gets_a_400_with_problem_details_that_name_the_problem(string body, string type, string mentions)
    {
        var response = await PostAsync(body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, type);
        var text = problem.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        output.WriteLine(text);
        Assert.Contains(mentions, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Movements_sent_as_anything_but_json_get_a_415()
    {
        using var content = new StringContent("sku=SKU-1001", Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await _client.PostAsync("/movements", content);

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "urn:stocksync:problem:unsupported-media-type");
    }

    [Fact]
    public async Task An_unknown_sku_is_a_404_problem()
    {
        var response = await _client.GetAsync("/inventory/SKU-NOPE");

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound, "urn:stocksync:problem:not-found");
        Assert.Contains("SKU-NOPE", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_movement_and_inventory_endpoints()
    {
        var document = await _client.GetFromJsonAsync<JsonObject>("/openapi/v1.json");

        var paths = document!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/movements", paths);
        Assert.Contains("/inventory/{sku}", paths);
        Assert.Contains("/inventory/{sku}/{locationId}/ledger", paths);
    }

    [Fact]
    public async Task Health_reports_live_and_ready_with_the_bus_and_the_database()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        var ready = await _client.GetFromJsonAsync<JsonObject>("/health/ready");

        Assert.Equal("Healthy", ready!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready["checks"]!["masstransit-bus"]!["status"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _client.PostAsync("/movements", content);
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(type, problem["type"]!.GetValue<string>());
        return problem;
    }

    private async Task<JsonObject> WaitForOnHandAsync(int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var inventory = await _client.GetFromJsonAsync<JsonObject>("/inventory/SKU-1001", JsonSerializerOptions.Web);
            last = inventory!["locations"]!.AsArray().FirstOrDefault()?.AsObject();
            if (last?["onHand"]?.GetValue<int>() == expected)
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"OnHand did not reach {expected}; last position: {last?.ToJsonString()}");
    }
}
