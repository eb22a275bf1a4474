using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using StockSync.IntegrationTests.Orders;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations;

/// <summary>
/// The ops API answers what the operators' SQL views answer, on a running host on RabbitMQ and PostgreSQL: sagas by
/// state, the one stuck order (a pick open for 5 hours, past the 4-hour threshold), pending deadlines, and the whole
/// story of one order (its saga row, the ledger movements it applied, the messages it published).
/// </summary>
public sealed class OpsApiTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-OPS";
    private const string Store = "STORE-OPS";
    private const string ClickAndCollect = "click_and_collect_sagas";

    [Fact]
    public async Task The_ops_api_shows_sagas_by_state_the_stuck_pick_deadlines_and_an_orders_whole_story()
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Store, new { name = "Ops store", kind = "Store", latitude = 51.51, longitude = -0.09 });
        await ReceiveAsync((Sku, Store, 2));

        var held = $"CC-{Run}-HELD";
        var picking = $"CC-{Run}-PICKING";
        var rejected = $"CC-{Run}-REJECTED";
        await ViewAsync(await ReserveAsync(held), "Reserved", held);
        await ViewAsync(await ReserveAsync(picking), "Reserved", picking);
        await ViewAsync(await PostAsync($"/click-and-collect/{picking}/payment?wait=10"), "Picking", $"{picking} payment");
        await ViewAsync(await ReserveAsync(rejected), "Rejected", rejected);

        // The pick has been open for 5 hours: past the default threshold of 4 hours for Picking.
        await using var db = new NpgsqlConnection(Host.Database.ConnectionString);
        await db.OpenAsync();
        await using (var age = new NpgsqlCommand("UPDATE click_and_collect_sagas SET updated_at = updated_at - interval '5 hours' WHERE order_id = @order", db))
        {
            age.Parameters.AddWithValue("order", picking);
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        // By state: exactly what the view says, and the three orders in it.
        var byState = await GetArrayAsync("/ops/sagas/by-state");
        var sql = await QueryAsync(db, "SELECT saga, current_state, instances FROM ops_sagas_by_state ORDER BY saga, current_state");
        Assert.Equal(
            sql.Select(r => $"{r["saga"]}/{r["current_state"]}={r["instances"]}"),
            byState.Select(r => $"{r!["saga"]}/{r["currentState"]}={r["instances"]}"));
        Assert.Equal(
            ["Picking=1", "Rejected=1", "Reserved=1"],
            byState.Where(r => (string)r!["saga"]! == ClickAndCollect).Select(r => $"{r!["currentState"]}={r["instances"]}"));

        // Stuck: the pick, and nothing else.
        var stuck = Assert.Single(await GetArrayAsync($"/ops/sagas/stuck?saga={ClickAndCollect}"))!;
        Assert.Equal("Picking", (string)stuck["currentState"]!);
        Assert.Equal(4 * 3600, (long)stuck["stuckAfterSeconds"]!);
        Assert.InRange((long)stuck["secondsInState"]!, 5 * 3600 - 120, 5 * 3600 + 120);

        // Deadlines: the held order's hold expiry is pending, not due.
        var deadlines = await GetArrayAsync($"/ops/deadlines?saga={ClickAndCollect}");
        var hold = Assert.Single(deadlines, d => (string)d!["deadline"]! == "HoldExpiresAt")!;
        Assert.True((long)hold["secondsOverdue"]! < 0, $"the hold is not due yet: {Json(hold)}");
        Assert.DoesNotContain(await GetArrayAsync("/ops/deadlines?due=true"), d => (string)d!["correlationId"]! == (string)hold["correlationId"]!);

        // The held order's story: its row, the reservation in the ledger, the command that started it.
        var story = await GetJsonAsync($"/ops/sagas/lookup?orderId={held}");
        Log($"lookup {held}: {Json(story)}");
        var instance = Assert.Single(story["instances"]!.AsArray())!;
        Assert.Equal((ClickAndCollect, "Reserved", held), ((string)instance["saga"]!, (string)instance["currentState"]!, (string)instance["row"]!["orderId"]!));
        Assert.Equal((string)hold["correlationId"]!, (string)instance["correlationId"]!);
        var reserved = Assert.Single(story["ledger"]!.AsArray())!;
        Assert.Equal(("StockReserved", Sku, Store, 1), ((string)reserved["movementType"]!, (string)reserved["sku"]!, (string)reserved["locationId"]!, (int)reserved["reservedDelta"]!));
        Assert.StartsWith($"{held}:", (string)reserved["sourceMessageId"]!, StringComparison.Ordinal);
        Assert.Contains(story["messages"]!.AsArray(), m => ((string)m!["messageType"]!).EndsWith(":ReserveForPickup", StringComparison.Ordinal));
        Assert.Empty(story["deadLetters"]!.AsArray());

        // The stuck pick, found from its correlation id, is the same order.
        var fromStuck = await GetJsonAsync($"/ops/sagas/lookup?correlationId={stuck["correlationId"]}");
        Assert.Equal(picking, (string)fromStuck["orderId"]!);
        Assert.Equal("Picking", (string)Assert.Single(fromStuck["instances"]!.AsArray())!["currentState"]!);

        // Bad questions get problems.
        await ProblemAsync(await Http.GetAsync("/ops/sagas/lookup"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "no id");
        await ProblemAsync(await Http.GetAsync($"/ops/sagas/lookup?orderId={held}&correlationId={Guid.NewGuid()}"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "both ids");
        await ProblemAsync(await Http.GetAsync("/ops/sagas/lookup?correlationId=not-a-uuid"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "bad uuid");
        await ProblemAsync(await Http.GetAsync($"/ops/sagas/lookup?orderId=CC-{Run}-NEVER"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "unknown order");
        var unknownSaga = await ProblemAsync(await Http.GetAsync("/ops/sagas?saga=orders&limit=0"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "unknown saga");
        Assert.Contains(ClickAndCollect, (string)unknownSaga["errors"]!["saga"]![0]!, StringComparison.Ordinal);
        Assert.NotNull(unknownSaga["errors"]!["limit"]);
        await AssertNothingFaultedAsync();
    }

    private Task<HttpResponseMessage> ReserveAsync(string orderId) =>
        PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } });

    private async Task<JsonArray> GetArrayAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        Log($"GET {path}: {text}");
        return JsonNode.Parse(text)!.AsArray();
    }
}
