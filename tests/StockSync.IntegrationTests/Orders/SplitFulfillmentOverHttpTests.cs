using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// A shipped order of three lines that no single location can fill: sourcing splits it across the DC and two
/// ship-from-store stores (a pickup-only store with plenty of stock is never used), one store short-picks, the missing
/// unit is re-sourced to a fourth location as a new shipment, every shipment is dispatched and the order completes.
/// </summary>
public sealed class SplitFulfillmentOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string X = "SKU-SPLIT-X";
    private const string Y = "SKU-SPLIT-Y";
    private const string Z = "SKU-SPLIT-Z";
    private const string Dc = "DC-SPLIT";
    private const string StoreA = "STORE-SPLIT-A";
    private const string StoreB = "STORE-SPLIT-B";
    private const string StoreC = "STORE-SPLIT-C";
    private const string PickupOnly = "STORE-SPLIT-PICKUP";

    [Fact]
    public async Task A_three_line_order_is_split_short_picked_re_sourced_dispatched_and_completed_with_ledger_and_positions_agreeing()
    {
        foreach (var sku in new[] { X, Y, Z })
        {
            await PutItemAsync(sku);
        }

        // Sourcing order: the DC first (10), then the ship-from-store stores A (50), B (60), C (70). The pickup-only
        // store has the best priority and everything in stock, but does not ship to customers.
        await PutLocationAsync(Dc, new { name = "DC", kind = "DistributionCenter", sourcingPriority = 10 });
        await PutLocationAsync(StoreA, new { name = "A", kind = "Store", latitude = 51.51, longitude = -0.09, sourcingPriority = 50, shipsToCustomers = true });
        await PutLocationAsync(StoreB, new { name = "B", kind = "Store", latitude = 51.48, longitude = -0.19, sourcingPriority = 60, shipsToCustomers = true });
        await PutLocationAsync(StoreC, new { name = "C", kind = "Store", latitude = 51.59, longitude = -0.10, sourcingPriority = 70, shipsToCustomers = true });
        await PutLocationAsync(PickupOnly, new { name = "Pickup only", kind = "Store", sourcingPriority = 1, shipsToCustomers = false, offersPickup = true });
        var locations = (await Http.GetFromJsonAsync<JsonArray>("/catalog/locations"))!;
        Assert.False(locations.Single(l => l!["locationId"]!.GetValue<string>() == PickupOnly)!["shipsToCustomers"]!.GetValue<bool>());
        Assert.True(locations.Single(l => l!["locationId"]!.GetValue<string>() == StoreA)!["shipsToCustomers"]!.GetValue<bool>());

        await ReceiveAsync(
            (X, Dc, 3), (Y, Dc, 2),
            (X, StoreA, 2), (Z, StoreA, 1),
            (Z, StoreB, 2),
            (Z, StoreC, 2),
            (X, PickupOnly, 10), (Y, PickupOnly, 10), (Z, PickupOnly, 10));

        // Placed: X ×4 = DC 3 + A 1, Y ×2 = DC 2, Z ×3 = A 1 + B 2.
        var orderId = $"SO-{Run}-1";
        var path = $"/orders/{orderId}";
        var placed = await ViewAsync(
            await PostAsync("/orders?wait=10", new { orderId, channelId = "web", lines = new[] { new { sku = X, quantity = 4 }, new { sku = Y, quantity = 2 }, new { sku = Z, quantity = 3 } } }),
            "Fulfilling", "place");
        Log($"placed: {Json(placed["shipments"])}");
        Assert.Equal(
            [$"{orderId}-S1@{Dc}: {X}×3 {Y}×2", $"{orderId}-S2@{StoreA}: {X}×1 {Z}×1", $"{orderId}-S3@{StoreB}: {Z}×2"],
            Shipments(placed));
        Assert.Equal(3, Number(placed, "openShipments"));
        Assert.Equal([$"{X} 4/4/0", $"{Y} 2/2/0", $"{Z} 3/3/0"], Lines(placed));
        await AssertBucketsAsync("placed", X, Dc, onHand: 3, reserved: 0, allocated: 3, availableToSell: 0);
        await AssertBucketsAsync("placed", Y, Dc, onHand: 2, reserved: 0, allocated: 2, availableToSell: 0);
        await AssertBucketsAsync("placed", X, StoreA, onHand: 2, reserved: 0, allocated: 1, availableToSell: 1);
        await AssertBucketsAsync("placed", Z, StoreA, onHand: 1, reserved: 0, allocated: 1, availableToSell: 0);
        await AssertBucketsAsync("placed", Z, StoreB, onHand: 2, reserved: 0, allocated: 2, availableToSell: 0);
        await AssertBucketsAsync("placed", Z, StoreC, onHand: 2, reserved: 0, allocated: 0, availableToSell: 2);
        foreach (var sku in new[] { X, Y, Z })
        {
            await AssertBucketsAsync("placed", sku, PickupOnly, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
        }

        // The DC picks; store A cannot find its Z: the unit is written off there and re-sourced to C (B has none left,
        // and A is never asked again for Z).
        await ViewAsync(await PostAsync($"{path}/shipments/{orderId}-S1/picked?wait=10"), "Fulfilling", "S1 picked");
        await ProblemAsync(
            await PostAsync($"{path}/shipments/{orderId}-S2/short-picked", new { missingLines = new[] { new { sku = Z, quantity = 2 } } }),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "short pick of more than the shipment has");
        await ProblemAsync(
            await PostAsync($"{path}/shipments/{orderId}-S9/short-picked", new { missingLines = new[] { new { sku = Z, quantity = 1 } } }),
            HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "short pick of an unknown shipment");
        var resourced = await ViewAsync(
            await PostAsync($"{path}/shipments/{orderId}-S2/short-picked?wait=10", new { missingLines = new[] { new { sku = Z, quantity = 1 } }, reason = "not on the shelf" }),
            "Fulfilling", "S2 short-picked");
        Log($"re-sourced: {Json(resourced["shipments"])}; reason: {resourced["reason"]}");
        Assert.Equal(
            [$"{orderId}-S1@{Dc}: {X}×3 {Y}×2 (Picked)", $"{orderId}-S2@{StoreA}: {X}×1", $"{orderId}-S3@{StoreB}: {Z}×2", $"{orderId}-S4@{StoreC}: {Z}×1"],
            Shipments(resourced, withStatus: true));
        Assert.Equal(4, Number(resourced, "openShipments"));
        Assert.Equal(0, Number(resourced, "backorderedUnits"));
        Assert.Equal([$"{X} 4/4/0", $"{Y} 2/2/0", $"{Z} 3/3/0"], Lines(resourced));
        await AssertBucketsAsync("short-picked at A", Z, StoreA, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("short-picked at A", X, StoreA, onHand: 2, reserved: 0, allocated: 1, availableToSell: 1);
        await AssertBucketsAsync("re-sourced to C", Z, StoreC, onHand: 2, reserved: 0, allocated: 1, availableToSell: 1);
        var shortPickLedger = (await Http.GetFromJsonAsync<JsonArray>($"/inventory/{Z}/{StoreA}/ledger"))!;
        Assert.Contains(shortPickLedger, e => e!["movementType"]!.GetValue<string>() == "InventoryAdjusted" && e["reasonCode"]!.GetValue<string>() == "SHORT_PICK");
        Assert.Contains(shortPickLedger, e => e!["movementType"]!.GetValue<string>() == "AllocationReleased" && e["reasonCode"]!.GetValue<string>() == "SHORT_PICK");

        // Every shipment leaves; the last one completes the order.
        var shipments = new[] { ($"{orderId}-S1", "Fulfilling"), ($"{orderId}-S2", "Fulfilling"), ($"{orderId}-S3", "Fulfilling"), ($"{orderId}-S4", "Completed") };
        JsonObject last = resourced;
        foreach (var (shipmentId, state) in shipments)
        {
            last = await ViewAsync(await PostAsync($"{path}/shipments/{shipmentId}/dispatched?wait=10", new { trackingNumber = $"TRK-{shipmentId}" }), state, $"{shipmentId} dispatched");
        }

        Assert.Equal("Completed", State(await GetJsonAsync(path)));
        Assert.NotNull(last["completedAt"]);
        Assert.Equal(0, Number(last, "openShipments"));
        Assert.All(last["shipments"]!.AsArray(), s => Assert.Equal("Shipped", s!["status"]!.GetValue<string>()));
        Assert.Equal([$"{X} 4/0/4", $"{Y} 2/0/2", $"{Z} 3/0/3"], Lines(last));
        await InvalidTransitionAsync(await PostAsync($"{path}/shipments/{orderId}-S4/dispatched"), "Completed", "dispatch twice");

        // Ledger and positions agree, and every location holds what it should.
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
        await AssertBucketsAsync("completed", X, Dc, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("completed", Y, Dc, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("completed", X, StoreA, onHand: 1, reserved: 0, allocated: 0, availableToSell: 1);
        await AssertBucketsAsync("completed", Z, StoreA, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("completed", Z, StoreB, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("completed", Z, StoreC, onHand: 1, reserved: 0, allocated: 0, availableToSell: 1);
        foreach (var sku in new[] { X, Y, Z })
        {
            await AssertBucketsAsync("completed", sku, PickupOnly, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
        }
    }

    /// <summary>"{shipmentId}@{location}: {sku}×{quantity} …", optionally with the status when it is not Requested.</summary>
    private static List<string> Shipments(JsonObject order, bool withStatus = false) =>
        [.. order["shipments"]!.AsArray().Select(s =>
        {
            var lines = string.Join(" ", s!["lines"]!.AsArray().Select(l => $"{l!["sku"]}×{l["quantity"]}"));
            var status = s["status"]!.GetValue<string>();
            return $"{s["shipmentId"]}@{s["locationId"]}: {lines}{(withStatus && status != "Requested" ? $" ({status})" : string.Empty)}";
        })];

    /// <summary>"{sku} {ordered}/{allocated}/{shipped}" per line.</summary>
    private static List<string> Lines(JsonObject order) =>
        [.. order["lines"]!.AsArray().Select(l => $"{l!["sku"]} {l["ordered"]}/{l["allocated"]}/{l["shipped"]}")];
}
