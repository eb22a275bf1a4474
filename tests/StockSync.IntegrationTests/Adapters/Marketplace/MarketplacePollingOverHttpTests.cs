using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using StockSync.IntegrationTests.Orders;
using StockSync.Simulators;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Adapters.Marketplace;

/// <summary>
/// The marketplace adapter's own loop, end to end on RabbitMQ and PostgreSQL: orders placed on the simulated
/// marketplace are polled, mapped from the marketplace's SKUs (with a case pack), reserved and acknowledged, and their
/// shipment is confirmed back to the marketplace in its own SKUs; an order with an unmapped SKU faults once, with the
/// reason and the raw order, however often it is polled.
/// </summary>
public sealed class MarketplacePollingOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-MP";
    private const string CaseSku = "SKU-MP-CASE";
    private const string Dc = "DC-MP";


    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Marketplaces:Endpoints:walmart:BaseUrl"] = $"{Simulator}/walmart";
            settings["Marketplaces:Endpoints:walmart:PollInterval"] = "00:00:00.300";
            settings["Marketplaces:Endpoints:walmart:Timeout"] = "00:00:05";
            return settings;
        }
    }

    private string Simulator => $"http://127.0.0.1:{SimulatorPort}/marketplaces";

    [Fact]
    public async Task A_polled_order_is_mapped_acknowledged_fulfilled_and_its_shipment_confirmed_in_the_marketplaces_skus()
    {
        await using var simulator = await StartSimulatorsAsync();
        await StockAsync();
        var order = $"PO-{Run}-POLL";

        await PlaceAsync(order, ("1", "WM-100", 2), ("2", "WM-CASE6", 1));

        var handed = await WaitForStateAsync($"/marketplace-orders/walmart/{order}", "HandedOver");
        Assert.Equal(
            [("1", Sku, 2), ("2", CaseSku, 6)],
            handed["lines"]!.AsArray().Select(l => (l!["lineNumber"]!.GetValue<string>(), l["sku"]!.GetValue<string>(), l["quantity"]!.GetValue<int>())));
        Assert.Equal(0, Number(handed, "redeliveries"));
        Assert.Equal("Acknowledged", (await SimulatedOrderAsync(order))["status"]!.GetValue<string>());

        var fulfillment = await WaitForStateAsync($"/orders/walmart:{order}", "Fulfilling");
        var shipment = fulfillment["shipments"]![0]!["shipmentId"]!.GetValue<string>();
        await ViewAsync(
            await PostAsync($"/orders/walmart:{order}/shipments/{shipment}/dispatched?wait=10", new { trackingNumber = "1Z-MP" }),
            "Completed",
            "dispatch");

        await EventuallyAsync(async () => (await SimulatedOrderAsync(order))["status"]!.GetValue<string>() == "Shipped", () => "the marketplace to get the shipment confirmation");
        var confirmation = (await SimulatedOrderAsync(order))["shipments"]![0]!;
        Assert.Equal("1Z-MP", confirmation["trackingNumber"]!.GetValue<string>());
        Assert.Equal(
            [("WM-100", 2), ("WM-CASE6", 1)],
            confirmation["lines"]!.AsArray().Select(l => (l!["sku"]!.GetValue<string>(), l["quantity"]!.GetValue<int>())).OrderBy(l => l.Item1));
        await AssertBucketsAsync("shipped", CaseSku, Dc, onHand: 6, reserved: 0, allocated: 0, availableToSell: 6);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task An_order_with_an_unmapped_sku_faults_once_with_the_reason_however_often_it_is_polled()
    {
        await using var simulator = await StartSimulatorsAsync();
        await StockAsync();
        var order = $"PO-{Run}-UNMAPPED";

        await PlaceAsync(order, ("1", "WM-NOT-MAPPED", 1));

        var (count, reason) = (0u, string.Empty);
        await EventuallyAsync(
            async () => ((count, reason) = await ErrorQueueAsync("marketplace-orders_error")).count > 0,
            () => "the unmapped order to reach marketplace-orders_error");
        Log($"marketplace-orders_error: {count} message(s): {reason}");
        Assert.Contains("walmart sku 'WM-NOT-MAPPED' has no mapping", reason, StringComparison.Ordinal);

        // The order stays on the marketplace's list and is downloaded at every poll (every 300 ms); the inbox takes it
        // once, so the error queue still holds one message a few seconds later, and no intake started.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1u, (await ErrorQueueAsync("marketplace-orders_error")).Count);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/marketplace-orders/walmart/{order}")).StatusCode);
        await AssertBucketsAsync("nothing held", Sku, Dc, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
    }

    private async Task StockAsync()
    {
        await PutItemAsync(Sku);
        await PutItemAsync(CaseSku);
        await PutLocationAsync(Dc, new { name = "Marketplace DC", kind = "DistributionCenter" });
        await ReceiveAsync((Sku, Dc, 10), (CaseSku, Dc, 12));
        (await Http.PutAsJsonAsync("/mappings/walmart/skus/WM-100", new { canonicalId = Sku })).EnsureSuccessStatusCode();
        (await Http.PutAsJsonAsync("/mappings/walmart/skus/WM-CASE6", new { canonicalId = CaseSku, unitsPerExternal = 6 })).EnsureSuccessStatusCode();
    }

    private async Task PlaceAsync(string order, params (string LineNumber, string Sku, int Quantity)[] lines)
    {
        using var client = new HttpClient();
        var response = await client.PostAsJsonAsync($"{Simulator}/walmart/orders", new
        {
            marketplaceOrderId = order,
            lines = lines.Select(l => new { lineNumber = l.LineNumber, sku = l.Sku, quantity = l.Quantity }),
        });
        response.EnsureSuccessStatusCode();
    }

    private async Task<JsonNode> SimulatedOrderAsync(string order)
    {
        using var client = new HttpClient();
        return JsonNode.Parse(await client.GetStringAsync($"{Simulator}/walmart/orders/{order}"))!;
    }

    private async Task<WebApplication> StartSimulatorsAsync()
    {
        var (app, address) = await SimulatorApp.StartAsync(SimulatorPort);
        Log($"simulators on {address}");
        return app;
    }

}
