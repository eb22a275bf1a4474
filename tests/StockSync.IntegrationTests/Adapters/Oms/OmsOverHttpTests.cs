using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using StockSync.Contracts.Orders;
using StockSync.IntegrationTests.Orders;
using StockSync.Simulators;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Adapters.Oms;

/// <summary>
/// The OMS adapter end to end on RabbitMQ and PostgreSQL: fulfillment requests go to the simulated OMS over HTTP, and
/// the OMS confirms picks, short picks and dispatches back to StockSync's <c>/oms/events</c> over HTTP, which drives the
/// order to completion; an OMS outage delays the requests without losing them.
/// </summary>
public sealed class OmsOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-OMS";
    private const string Dc = "DC-OMS";
    private const string Store = "STORE-OMS";


    protected override bool RealHttp => true;

    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Oms:Enabled"] = "true";
            settings["Oms:BaseUrl"] = $"http://127.0.0.1:{SimulatorPort}/oms";
            settings["Oms:Timeout"] = "00:00:05";
            for (var i = 0; i < 20; i++)
            {
                settings[$"Oms:RetryIntervals:{i}"] = "00:00:00.500";
            }

            return settings;
        }
    }

    [Fact]
    public async Task The_OMS_gets_the_fulfillment_requests_and_its_confirmations_complete_the_order_through_an_outage_and_a_short_pick()
    {
        await using var simulator = await StartSimulatorAsync();
        await PutItemAsync(Sku);
        await PutLocationAsync(Dc, new { name = "OMS DC", kind = "DistributionCenter" });
        await PutLocationAsync(Store, new { name = "Ship-from-store", kind = "Store", shipsToCustomers = true, sourcingPriority = 50 });
        await ReceiveAsync((Sku, Dc, 5), (Sku, Store, 5));

        // 1. The OMS confirms by itself: picked, then dispatched.
        var first = $"SO-{Run}-1";
        await ViewAsync(await PostAsync("/orders?wait=10", new { orderId = first, lines = new[] { new { sku = Sku, quantity = 2 } } }), "Fulfilling", "order 1");
        await WaitForStateAsync($"/orders/{first}", "Completed");
        Assert.Contains(await FulfillmentsAsync(), f => f!["orderId"]!.GetValue<string>() == first && f["status"]!.GetValue<string>() == "Dispatched");
        await AssertBucketsAsync("order 1 shipped", Sku, Dc, onHand: 3, reserved: 0, allocated: 0, availableToSell: 3);

        // 2. The OMS is down: the request waits (retried), the stock stays allocated, and nothing is lost.
        await SettingsAsync(new { outage = true, stockSyncUrl = Host.Address!.ToString() });
        var second = $"SO-{Run}-2";
        await ViewAsync(await PostAsync("/orders?wait=10", new { orderId = second, lines = new[] { new { sku = Sku, quantity = 1 } } }), "Fulfilling", "order 2");
        await AssertBucketsAsync("order 2 allocated while the OMS is down", Sku, Dc, onHand: 3, reserved: 0, allocated: 1, availableToSell: 2);
        Assert.DoesNotContain(await FulfillmentsAsync(), f => f!["orderId"]!.GetValue<string>() == second);
        await SettingsAsync(new { stockSyncUrl = Host.Address!.ToString() });
        await WaitForStateAsync($"/orders/{second}", "Completed");
        await AssertBucketsAsync("order 2 shipped after the outage", Sku, Dc, onHand: 2, reserved: 0, allocated: 0, availableToSell: 2);

        // 3. The DC short-picks one unit: it is written off there, re-sourced to the store, which ships it.
        await SettingsAsync(new { shortPickNext = 1, stockSyncUrl = Host.Address!.ToString() });
        var third = $"SO-{Run}-3";
        await PostAsync("/orders?wait=10", new { orderId = third, lines = new[] { new { sku = Sku, quantity = 2 } } });
        var completed = await WaitForStateAsync($"/orders/{third}", "Completed");
        var shipments = completed["shipments"]!.AsArray().Select(s => (s!["locationId"]!.GetValue<string>(), s["status"]!.GetValue<string>())).ToList();
        Log($"order 3 shipments: {string.Join(", ", shipments)}");
        Assert.Contains((Dc, "Shipped"), shipments);
        Assert.Contains((Store, "Shipped"), shipments);
        await AssertBucketsAsync("after the short pick", Sku, Dc, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("after the short pick", Sku, Store, onHand: 4, reserved: 0, allocated: 0, availableToSell: 4);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task An_OMS_event_delivered_twice_has_one_effect_and_a_bad_one_is_a_400()
    {
        await using var simulator = await StartSimulatorAsync();
        await SettingsAsync(new { autoConfirm = false, stockSyncUrl = Host.Address!.ToString() });
        await PutItemAsync(Sku);
        await PutLocationAsync(Dc, new { name = "OMS DC", kind = "DistributionCenter" });
        await ReceiveAsync((Sku, Dc, 5));
        var order = $"SO-{Run}-DUP";
        var placed = await ViewAsync(await PostAsync("/orders?wait=10", new { orderId = order, lines = new[] { new { sku = Sku, quantity = 1 } } }), "Fulfilling", "order");
        var shipment = placed["shipments"]![0]!["shipmentId"]!.GetValue<string>();
        var refusals = await SubscribeAsync<OrderEventRefused>();

        var dispatched = new { eventId = $"{shipment}:Dispatched", type = "Dispatched", orderId = order, locationId = Dc, shipmentId = shipment, trackingNumber = "1Z1" };
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/oms/events", dispatched)).StatusCode);
        await WaitForStateAsync($"/orders/{order}", "Completed");
        // The same event again: the same message, dropped by the saga's inbox. The same dispatch under another event id
        // is a new message, refused by the saga (the shipment has shipped), which proves the first one was not.
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/oms/events", new[] { dispatched })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync("/oms/events", dispatched with { eventId = $"{shipment}:Dispatched:again" })).StatusCode);
        await refusals.WaitForAsync(r => r.OrderId == order && r.Event == nameof(ShipmentDispatched), "for the second dispatch");
        Assert.Single(refusals.Messages, r => r.OrderId == order);
        await AssertBucketsAsync("shipped once", Sku, Dc, onHand: 4, reserved: 0, allocated: 0, availableToSell: 4);

        var bad = await PostAsync("/oms/events", new[] { new { eventId = "E-1", type = "ShortPicked", orderId = order, locationId = Dc } });
        var problem = await ProblemAsync(bad, HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "short pick without missing lines");
        Assert.NotNull(problem["errors"]!["[0].missingLines"]);
        await AssertNothingFaultedAsync();
    }

    private async Task<WebApplication> StartSimulatorAsync()
    {
        var (app, address) = await SimulatorApp.StartAsync(SimulatorPort);
        Log($"simulators on {address}; StockSync on {Host.Address!}");
        await SettingsAsync(new { stockSyncUrl = Host.Address!.ToString() });
        return app;
    }

    private async Task SettingsAsync(object settings)
    {
        using var client = new HttpClient();
        (await client.PutAsJsonAsync($"http://127.0.0.1:{SimulatorPort}/oms/settings", settings)).EnsureSuccessStatusCode();
    }

    private async Task<JsonArray> FulfillmentsAsync()
    {
        using var client = new HttpClient();
        return JsonNode.Parse(await client.GetStringAsync($"http://127.0.0.1:{SimulatorPort}/oms/fulfillments"))!.AsArray();
    }

}
