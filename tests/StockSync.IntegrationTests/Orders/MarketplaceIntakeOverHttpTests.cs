using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using StockSync.Contracts.Orders;
using StockSync.Simulators;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// Marketplace orders end to end: the real host on RabbitMQ and PostgreSQL takes orders in over HTTP (as the marketplace
/// adapter would), and its acknowledgment client calls the marketplace simulator over real HTTP, with the simulator's
/// faults switched on: slow answers and failures, an outage past the deadline. The operators' SQL from the README runs
/// verbatim against the database.
/// </summary>
public sealed class MarketplaceIntakeOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    /// <summary>The README's query: marketplace orders due for acknowledgment in the next 30 minutes (portable).</summary>
    public const string DueInTheNext30Minutes =
        "SELECT marketplace, marketplace_order_id, acknowledge_by, seconds_until_due, attempts, last_error FROM ops_marketplace_acknowledgements " +
        "WHERE current_state = 'AwaitingAcknowledgement' AND seconds_until_due BETWEEN 0 AND 1800 ORDER BY acknowledge_by";

    /// <summary>The README's query: marketplace orders not acknowledged by their deadline.</summary>
    public const string PastTheDeadline =
        "SELECT marketplace, marketplace_order_id, acknowledge_by, deadline_missed_at, attempts, last_error FROM ops_marketplace_acknowledgements " +
        "WHERE current_state = 'AcknowledgementOverdue' ORDER BY acknowledge_by";

    private const string Sku = "SKU-MKT";
    private const string OtherSku = "SKU-MKT-2";
    private const string Dc = "DC-MKT";
    private const string Store = "STORE-MKT";


    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            var simulator = $"http://127.0.0.1:{SimulatorPort}/marketplaces";
            settings["Marketplaces:Endpoints:walmart:BaseUrl"] = $"{simulator}/walmart";
            settings["Marketplaces:Endpoints:walmart:Timeout"] = "00:00:10";
            settings["Marketplaces:Endpoints:amazon-vendor:BaseUrl"] = $"{simulator}/amazon-vendor";
            settings["Marketplaces:Endpoints:amazon-vendor:Timeout"] = "00:00:10";
            // Walmart's window shortened to one minute, so "before the deadline" is a real bound in this test.
            settings["Marketplaces:Policies:walmart:AcknowledgeWithin"] = "00:01:00";
            settings["Marketplaces:AcknowledgementRetryIntervals:0"] = "00:00:01";
            settings["Deadlines:SweepInterval"] = "00:00:00.250";
            return settings;
        }
    }

    [Fact]
    public async Task An_order_is_acknowledged_before_its_deadline_while_the_marketplace_is_slow_and_fails_once_and_its_units_go_to_fulfillment()
    {
        await using var simulator = await StartSimulatorsAsync();
        await StockAsync();
        // Every answer takes 2.5 s, and the first one is a 503.
        await SetFaultsAsync("walmart", new { delayMs = 2500, failNext = 1 });

        var order = $"PO-{Run}-SLOW";
        var submitted = await ViewAsync(
            await PostAsync("/marketplace-orders?wait=10", Order("walmart", order, ("1", Sku, 3), ("2", OtherSku, 1))),
            "AwaitingAcknowledgement",
            "submit");
        Assert.All(submitted["decisions"]!.AsArray(), d => Assert.Equal("Accepted", d!["decision"]!.GetValue<string>()));
        await AssertBucketsAsync("held while awaiting acknowledgment", Sku, Dc, onHand: 10, reserved: 3, allocated: 0, availableToSell: 7);

        var handed = await WaitForStateAsync($"/marketplace-orders/walmart/{order}", "HandedOver");
        var acknowledgedAt = handed["acknowledgedAt"]!.GetValue<DateTimeOffset>();
        var acknowledgeBy = handed["acknowledgeBy"]!.GetValue<DateTimeOffset>();
        Log($"acknowledged at {acknowledgedAt:O} after {handed["attempts"]} attempts; deadline {acknowledgeBy:O}; last error {handed["lastError"]}");
        Assert.True(acknowledgedAt < acknowledgeBy, $"Acknowledged at {acknowledgedAt:O}, after the deadline {acknowledgeBy:O}.");
        Assert.Equal(2, Number(handed, "attempts"));
        Assert.Contains("HTTP 503", handed["lastError"]!.GetValue<string>(), StringComparison.Ordinal);

        // The marketplace saw the failed call and the accepted one, both with every line accepted.
        var calls = await CallsAsync("walmart", order);
        Assert.Equal([503, 200], calls.Select(c => c!["status"]!.GetValue<int>()));
        Assert.All(calls, c => Assert.All(c!["body"]!["lines"]!.AsArray(), l => Assert.Equal("Accepted", l!["status"]!.GetValue<string>())));

        // Fulfillment took over the held units where they were: allocated, not reserved a second time.
        var fulfillment = await WaitForStateAsync($"/orders/walmart:{order}", "Fulfilling");
        var shipment = Assert.Single(fulfillment["shipments"]!.AsArray());
        Assert.Equal(Dc, shipment!["locationId"]!.GetValue<string>());
        await AssertBucketsAsync("after hand-over", Sku, Dc, onHand: 10, reserved: 0, allocated: 3, availableToSell: 7);
        await AssertBucketsAsync("after hand-over", OtherSku, Dc, onHand: 2, reserved: 0, allocated: 1, availableToSell: 1);

        // The marketplace delivers the order again: nothing new starts.
        var again = await PostAsync("/marketplace-orders", Order("walmart", order, ("1", Sku, 3), ("2", OtherSku, 1)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await EventuallyAsync(async () => Number(await GetJsonAsync($"/marketplace-orders/walmart/{order}"), "redeliveries") == 1, () => "the redelivery to be counted");
        await AssertBucketsAsync("after the redelivery", Sku, Dc, onHand: 10, reserved: 0, allocated: 3, availableToSell: 7);

        // The marketplace cancels before shipment: fulfillment releases the allocation.
        await ViewAsync(await PostAsync($"/marketplace-orders/walmart/{order}/cancel?wait=10", new { reason = "customer cancelled" }), "HandedOver", "cancel");
        await WaitForStateAsync($"/orders/walmart:{order}", "Cancelled");
        await AssertBucketsAsync("after the marketplace's cancellation", Sku, Dc, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task An_order_with_no_stock_is_rejected_with_the_marketplaces_out_of_stock_code_and_holds_nothing()
    {
        await using var simulator = await StartSimulatorsAsync();
        await StockAsync();

        var walmart = $"PO-{Run}-NOSTOCK";
        await PostAsync("/marketplace-orders?wait=10", Order("walmart", walmart, ("1", Sku, 11)));
        var rejected = await WaitForStateAsync($"/marketplace-orders/walmart/{walmart}", "Rejected");
        var decision = Assert.Single(rejected["decisions"]!.AsArray())!;
        Assert.Equal(("Rejected", "SELLER_CANCEL_OUT_OF_STOCK"), (decision["decision"]!.GetValue<string>(), decision["reasonCode"]!.GetValue<string>()));
        var line = Assert.Single(Assert.Single(await CallsAsync("walmart", walmart))!["body"]!["lines"]!.AsArray())!;
        Assert.Equal(("Rejected", "SELLER_CANCEL_OUT_OF_STOCK"), (line["status"]!.GetValue<string>(), line["reasonCode"]!.GetValue<string>()));

        // Amazon Vendor's code for the same thing; the line that fits is accepted and handed over, the other rejected.
        var amazon = $"PO-{Run}-PARTIAL";
        await PostAsync("/marketplace-orders?wait=10", Order("amazon-vendor", amazon, ("10", Sku, 2), ("20", OtherSku, 5)));
        var partial = await WaitForStateAsync($"/marketplace-orders/amazon-vendor/{amazon}", "HandedOver");
        var codes = partial["decisions"]!.AsArray().Select(d => (d!["lineNumber"]!.GetValue<string>(), d["decision"]!.GetValue<string>(), d["reasonCode"]?.GetValue<string>()));
        Assert.Equal([("10", "Accepted", null), ("20", "Rejected", "TemporarilyUnavailable")], codes);
        await WaitForStateAsync($"/orders/amazon-vendor:{amazon}", "Fulfilling");
        await AssertBucketsAsync("nothing held for the rejected lines", OtherSku, Dc, onHand: 2, reserved: 0, allocated: 0, availableToSell: 2);
        await AssertBucketsAsync("the accepted line allocated", Sku, Dc, onHand: 10, reserved: 0, allocated: 2, availableToSell: 8);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task Orders_not_acknowledged_by_their_deadline_show_in_the_operators_view_and_an_operator_retry_hands_them_over()
    {
        await using var simulator = await StartSimulatorsAsync();
        await StockAsync();
        await SetFaultsAsync("amazon-vendor", new { outage = true });
        var alerts = await SubscribeAsync<MarketplaceOrderAlert>();

        // One order states a deadline 5 s away, one 20 minutes away, one takes the policy's 24 hours.
        var overdue = $"PO-{Run}-LATE";
        var soon = $"PO-{Run}-SOON";
        var later = $"PO-{Run}-LATER";
        var now = DateTimeOffset.UtcNow;
        await ViewAsync(await PostAsync("/marketplace-orders?wait=10", Order("amazon-vendor", overdue, now.AddSeconds(5), ("1", Sku, 1))), "AwaitingAcknowledgement", overdue);
        await ViewAsync(await PostAsync("/marketplace-orders?wait=10", Order("amazon-vendor", soon, now.AddMinutes(20), ("1", Sku, 1))), "AwaitingAcknowledgement", soon);
        await ViewAsync(await PostAsync("/marketplace-orders?wait=10", Order("amazon-vendor", later, null, ("1", Sku, 1))), "AwaitingAcknowledgement", later);

        var missed = await WaitForStateAsync($"/marketplace-orders/amazon-vendor/{overdue}", "AcknowledgementOverdue");
        Log($"overdue: {Json(missed)}");
        Assert.True(Number(missed, "attempts") >= 2, "The failing acknowledgment was retried within the window.");
        Assert.Contains("HTTP 503", missed["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        var alert = await alerts.WaitForAsync(a => a.MarketplaceOrderId == overdue && a.Kind == MarketplaceAlertKind.DeadlineMissed, "for the missed deadline");
        Assert.Equal($"amazon-vendor:{overdue}", alert.OrderId);
        await AssertBucketsAsync("the overdue order keeps its units", Sku, Dc, onHand: 10, reserved: 3, allocated: 0, availableToSell: 7);

        await using var db = new NpgsqlConnection(Host.Database.ConnectionString);
        await db.OpenAsync();
        var pastDeadline = await QueryAsync(db, PastTheDeadline);
        Log($"{PastTheDeadline}\n  -> {string.Join("; ", pastDeadline.Select(Describe))}");
        Assert.Equal(overdue, (string)Assert.Single(pastDeadline)["marketplace_order_id"]!);
        var dueSoon = await QueryAsync(db, DueInTheNext30Minutes);
        Log($"{DueInTheNext30Minutes}\n  -> {string.Join("; ", dueSoon.Select(Describe))}");
        var row = Assert.Single(dueSoon);
        Assert.Equal(soon, (string)row["marketplace_order_id"]!);
        Assert.InRange(Convert.ToInt64(row["seconds_until_due"], System.Globalization.CultureInfo.InvariantCulture), 17 * 60, 20 * 60);

        // The marketplace is back; the operator asks for another attempt of the overdue order.
        await SetFaultsAsync("amazon-vendor", new { });
        await ViewAsync(await PostAsync($"/marketplace-orders/amazon-vendor/{overdue}/acknowledgement/retry?wait=10", new { requestedBy = "ops" }), "AcknowledgementOverdue", "retry");
        await WaitForStateAsync($"/marketplace-orders/amazon-vendor/{overdue}", "HandedOver");
        Assert.Empty(await QueryAsync(db, PastTheDeadline));

        // The other two were retried automatically (every 1 s here) and are acknowledged once the outage ends.
        await WaitForStateAsync($"/marketplace-orders/amazon-vendor/{soon}", "HandedOver");
        await WaitForStateAsync($"/marketplace-orders/amazon-vendor/{later}", "HandedOver");
        Assert.Empty(await QueryAsync(db, DueInTheNext30Minutes));
        foreach (var order in new[] { overdue, soon, later })
        {
            await WaitForStateAsync($"/orders/amazon-vendor:{order}", "Fulfilling");
        }

        await AssertBucketsAsync("all three handed over", Sku, Dc, onHand: 10, reserved: 0, allocated: 3, availableToSell: 7);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task Bad_marketplace_orders_get_problem_details_and_start_nothing()
    {
        await StockAsync();
        var unknown = await ProblemAsync(
            await PostAsync("/marketplace-orders", Order("ebay", "PO-1", ("1", Sku, 1))), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "unknown marketplace");
        Assert.StartsWith("No policy for marketplace 'ebay'", unknown["errors"]!["marketplace"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await ProblemAsync(
            await PostAsync("/marketplace-orders", Order("walmart", "PO-2", ("1", Sku, 1), ("1", OtherSku, 1))), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "repeated line number");
        await ProblemAsync(
            await PostAsync("/marketplace-orders", Order("walmart", "PO-3", ("1", Sku, 0))), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "zero quantity");
        await ProblemAsync(await PostRawAsync("/marketplace-orders", "{\"marketplace\":"), HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "malformed JSON");
        await ProblemAsync(await Http.GetAsync("/marketplace-orders/walmart/PO-NONE"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "unknown order");
        await ProblemAsync(await PostAsync("/marketplace-orders/walmart/PO-NONE/cancel"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "cancel unknown");
        await AssertBucketsAsync("nothing held", Sku, Dc, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
    }

    private static object Order(string marketplace, string id, params (string LineNumber, string Sku, int Quantity)[] lines) =>
        Order(marketplace, id, null, lines);

    private static object Order(string marketplace, string id, DateTimeOffset? acknowledgeBy, params (string LineNumber, string Sku, int Quantity)[] lines) => new
    {
        marketplace,
        marketplaceOrderId = id,
        acknowledgeBy,
        lines = lines.Select(l => new { lineNumber = l.LineNumber, sku = l.Sku, quantity = l.Quantity }).ToArray(),
    };

    private async Task StockAsync()
    {
        await PutItemAsync(Sku);
        await PutItemAsync(OtherSku);
        await PutLocationAsync(Dc, new { name = "Marketplace DC", kind = "DistributionCenter" });
        await PutLocationAsync(Store, new { name = "Store without ship-from-store", kind = "Store" });
        await ReceiveAsync((Sku, Dc, 10), (OtherSku, Dc, 2), (OtherSku, Store, 9));
    }

    private async Task<WebApplication> StartSimulatorsAsync()
    {
        var (app, address) = await SimulatorApp.StartAsync(SimulatorPort);
        Log($"marketplace simulator on {address}");
        return app;
    }

    private async Task SetFaultsAsync(string marketplace, object faults)
    {
        using var client = new HttpClient();
        var response = await client.PutAsJsonAsync($"http://127.0.0.1:{SimulatorPort}/marketplaces/{marketplace}/faults", faults);
        Assert.True(response.IsSuccessStatusCode, $"PUT faults: {(int)response.StatusCode}");
    }

    private async Task<JsonArray> CallsAsync(string marketplace, string order)
    {
        using var client = new HttpClient();
        return JsonNode.Parse(await client.GetStringAsync($"http://127.0.0.1:{SimulatorPort}/marketplaces/{marketplace}/orders/{order}/acknowledgements"))!.AsArray();
    }

}
