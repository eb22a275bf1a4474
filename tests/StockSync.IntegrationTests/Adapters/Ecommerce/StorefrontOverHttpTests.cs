using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Orders;
using StockSync.Persistence.Telemetry;
using StockSync.Simulators;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Adapters.Ecommerce;

/// <summary>
/// The e-commerce adapter end to end, on RabbitMQ and PostgreSQL, through the storefront simulator over real HTTP: the
/// simulator signs and posts Shopify-shaped webhooks to the host (which listens on a loopback port), and the host
/// pushes availability to the simulator's rate-limited inventory API. Stock, orders and returns are read back through
/// StockSync's own API; receipts through the operators' SQL.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (xunit's IAsyncLifetime).")]
public sealed class StorefrontOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Dc = "DC-SHOP";
    private const string Store = "STORE-SHOP";
    private const long ShopifyDc = 905684977;
    private const long ShopifyStore = 905684978;

    private readonly string _secret = $"test-secret-{Guid.NewGuid():N}";
    private readonly int _simulatorPort = FreePort();
    private WebApplication? _simulator;
    private HttpClient _storefront = null!;

    protected override bool RealHttp => true;

    protected override IEnumerable<string> MoreErrorQueues => ["shopify-webhooks_error"];

    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Ecommerce:Enabled"] = "true";
            settings["Ecommerce:WebhookSecret"] = _secret;
            settings["Ecommerce:DefaultLocationId"] = Dc;
            settings["Ecommerce:Storefront:BaseUrl"] = $"http://127.0.0.1:{_simulatorPort}/storefront";
            settings["Ecommerce:Storefront:Timeout"] = "00:00:05";
            settings["Ecommerce:Push:RequestsPerSecond"] = "2";
            settings["Ecommerce:Push:Burst"] = "1";
            settings["Ecommerce:Push:RetryDelay"] = "00:00:00.500";
            settings["Ecommerce:Push:ResyncPageSize"] = "2";
            settings["Channels:web:SharePercent"] = "100";
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        // The storefront first (the host's pusher calls it from the start), at 2 requests per second with a bucket of 2.
        (_simulator, var address) = await SimulatorApp.StartAsync(_simulatorPort, new Dictionary<string, string>
        {
            ["Storefront:WebhookSecret"] = _secret,
            ["Storefront:RequestsPerSecond"] = "2",
            ["Storefront:Burst"] = "2",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        _storefront = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        await base.InitializeAsync();
        Log($"host on {Host.Address}, storefront simulator on {address}");
    }

    [Fact]
    public async Task A_webhook_with_a_bad_signature_is_refused_with_401_and_has_no_effect()
    {
        await StockAsync(("SKU-SHOE", 10));
        var order = OrderPayload(4001, ("SKU-SHOE", 2));
        var webhookId = $"wh-{Run}-forged";

        // Signed with the wrong secret, and not signed at all: both refused before anything is stored or published.
        var forged = await SendWebhookAsync(new { topic = "orders/create", payload = order, webhookId, badSignature = true });
        var unsigned = await SendWebhookAsync(new { topic = "orders/create", payload = order, webhookId, omitSignature = true });
        foreach (var answer in new[] { forged, unsigned })
        {
            var delivery = Assert.Single(answer["deliveries"]!.AsArray())!;
            Assert.Equal(401, Number(delivery, "status"));
            Assert.Equal("urn:stocksync:problem:webhook-signature-invalid", delivery["body"]!["type"]!.GetValue<string>());
        }

        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM webhook_receipts WHERE webhook_id = '{webhookId}'"));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%ShopifyWebhookReceived%'"));

        // The same delivery, properly signed, is taken: the refusals had not used up its id. Once it has been acted on,
        // the order exists exactly once and nothing else moved.
        var genuine = Assert.Single((await SendWebhookAsync(new { topic = "orders/create", payload = order, webhookId }))["deliveries"]!.AsArray())!;
        Assert.Equal(202, Number(genuine, "status"));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%ShopifyWebhookReceived%'"));
        await WaitForStateAsync("/orders/shopify:4001", "Fulfilling");
        await AssertBucketsAsync("after the genuine order", "SKU-SHOE", Dc, onHand: 10, reserved: 0, allocated: 2, availableToSell: 8);
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM webhook_receipts WHERE webhook_id = '{webhookId}'"));

        // A signed body that was altered on the way: refused too (the simulator signs what it sends, so the test posts
        // the forged request itself, with a signature of the original body).
        var original = System.Text.Encoding.UTF8.GetBytes(OrderPayload(4002, ("SKU-SHOE", 1)).ToJsonString());
        var altered = System.Text.Encoding.UTF8.GetBytes(OrderPayload(4002, ("SKU-SHOE", 9)).ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify/orders/create") { Content = new ByteArrayContent(altered) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Webhook-Id", $"wh-{Run}-altered");
        request.Headers.Add("X-Shopify-Hmac-Sha256", StockSync.Adapters.Ecommerce.Webhooks.WebhookSignature.Sign(_secret, original));
        using var response = await Http.SendAsync(request);
        await ProblemAsync(response, HttpStatusCode.Unauthorized, "urn:stocksync:problem:webhook-signature-invalid", "an altered body");
        Assert.Equal(404, (int)(await Http.GetAsync("/orders/shopify:4002")).StatusCode);
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM webhook_receipts WHERE webhook_id = 'wh-{Run}-altered'"));

        await AssertBucketsAsync("in the end", "SKU-SHOE", Dc, onHand: 10, reserved: 0, allocated: 2, availableToSell: 8);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_duplicated_webhook_has_one_effect_even_when_the_deliveries_race()
    {
        await StockAsync(("SKU-SHOE", 10), ("SKU-JACKET", 5));
        var token = $"tok{Run}".ToLowerInvariant();

        // The checkout's hold, delivered three times at the same moment: one delivery is taken, the others are duplicates.
        var hold = await SendWebhookAsync(new
        {
            topic = "checkouts/create",
            payload = new JsonObject { ["token"] = token, ["line_items"] = Lines(("SKU-SHOE", 2), ("SKU-JACKET", 1)) },
            deliveries = 3,
            concurrent = true,
        });
        var statuses = hold["deliveries"]!.AsArray().Select(d => Number(d!, "status")).Order().ToList();
        Assert.Equal([200, 200, 202], statuses);
        Assert.All(hold["deliveries"]!.AsArray().Where(d => Number(d!, "status") == 200), d => Assert.True(d!["body"]!["duplicate"]!.GetValue<bool>()));
        // Each line of the hold is its own movement, and the two may be applied in either order: wait for both.
        await EventuallyAsync(
            async () => (await BucketsAsync("SKU-JACKET", Dc)).Reserved >= 1 && (await BucketsAsync("SKU-SHOE", Dc)).Reserved >= 2,
            () => "both lines of the checkout's hold to be applied");
        await AssertBucketsAsync("held once", "SKU-SHOE", Dc, onHand: 10, reserved: 2, allocated: 0, availableToSell: 8);
        await AssertBucketsAsync("held once", "SKU-JACKET", Dc, onHand: 5, reserved: 1, allocated: 0, availableToSell: 4);

        // The order that completes the checkout, delivered twice: one order, which takes the held units over.
        var placed = await SendWebhookAsync(new { topic = "orders/create", payload = OrderPayload(5001, token, ("SKU-SHOE", 2), ("SKU-JACKET", 1)), duplicate = true });
        Assert.Equal([202, 200], placed["deliveries"]!.AsArray().Select(d => Number(d!, "status")));
        var fulfilling = await WaitForStateAsync("/orders/shopify:5001", "Fulfilling");
        Assert.Equal(Dc, Assert.Single(fulfilling["shipments"]!.AsArray())!["locationId"]!.GetValue<string>());
        await AssertBucketsAsync("taken over", "SKU-SHOE", Dc, onHand: 10, reserved: 0, allocated: 2, availableToSell: 8);
        await AssertBucketsAsync("taken over", "SKU-JACKET", Dc, onHand: 5, reserved: 0, allocated: 1, availableToSell: 4);

        // The cancellation, delivered twice: released once.
        var cancelled = await SendWebhookAsync(new { topic = "orders/cancelled", payload = new JsonObject { ["id"] = 5001, ["cancel_reason"] = "customer" }, duplicate = true });
        Assert.Equal([202, 200], cancelled["deliveries"]!.AsArray().Select(d => Number(d!, "status")));
        await WaitForStateAsync("/orders/shopify:5001", "Cancelled");
        await AssertBucketsAsync("cancelled", "SKU-SHOE", Dc, onHand: 10, reserved: 0, allocated: 0, availableToSell: 10);
        await AssertBucketsAsync("cancelled", "SKU-JACKET", Dc, onHand: 5, reserved: 0, allocated: 0, availableToSell: 5);

        // One receipt per webhook, each consumed once.
        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM webhook_receipts"));
        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM inbox_states WHERE consumer LIKE 'shopify-webhooks/%'"));
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task Every_topic_becomes_its_canonical_command()
    {
        await StockAsync(("SKU-SHOE", 10));
        await ReceiveAsync(("SKU-SHOE", Store, 4));

        // An abandoned checkout: held, then released.
        var token = $"abandoned{Run}".ToLowerInvariant();
        await SendWebhookAsync(new { topic = "checkouts/create", payload = new JsonObject { ["token"] = token, ["line_items"] = Lines(("SKU-SHOE", 3)) } });
        await EventuallyAsync(async () => (await BucketsAsync("SKU-SHOE", Dc)).Reserved == 3, () => "the hold");
        await SendWebhookAsync(new { topic = "checkouts/delete", payload = new JsonObject { ["token"] = token } });
        await EventuallyAsync(async () => (await BucketsAsync("SKU-SHOE", Dc)).Reserved == 0, () => "the release");

        // A store pickup order: click-and-collect at the store its pickup location maps to.
        var pickup = OrderPayload(6001, ("SKU-SHOE", 1));
        pickup["pickup_location_id"] = ShopifyStore;
        await SendWebhookAsync(new { topic = "orders/create", payload = pickup });
        var reserved = await WaitForStateAsync("/click-and-collect/shopify:6001", "Reserved");
        Assert.Equal(Store, reserved["storeId"]!.GetValue<string>());
        await AssertBucketsAsync("held for pickup", "SKU-SHOE", Store, onHand: 4, reserved: 1, allocated: 0, availableToSell: 3);

        // A refund with one restocked unit (at the store) and one not restocked: a return of one unit, quarantined.
        await SendWebhookAsync(new
        {
            topic = "refunds/create",
            payload = new JsonObject
            {
                ["id"] = 7001,
                ["order_id"] = 6000,
                ["note"] = "too small",
                ["refund_line_items"] = new JsonArray(
                    new JsonObject { ["quantity"] = 1, ["restock_type"] = "return", ["location_id"] = ShopifyStore, ["line_item"] = new JsonObject { ["variant_id"] = Variant("SKU-SHOE"), ["sku"] = "SKU-SHOE" } },
                    new JsonObject { ["quantity"] = 1, ["restock_type"] = "no_restock", ["location_id"] = ShopifyStore, ["line_item"] = new JsonObject { ["variant_id"] = Variant("SKU-SHOE") } }),
            },
        });
        var returned = await WaitForStateAsync("/returns/shopify-refund:7001", "AwaitingInspection");
        Assert.Equal(Store, returned["locationId"]!.GetValue<string>());
        Assert.Equal("shopify:6000", returned["orderId"]!.GetValue<string>());
        await AssertBucketsAsync("returned unit in quarantine", "SKU-SHOE", Store, onHand: 5, reserved: 1, allocated: 0, availableToSell: 3);

        // A variant nobody mapped: the webhook faults to the error queue with the reason and its raw payload.
        await SendWebhookAsync(new { topic = "orders/create", payload = new JsonObject { ["id"] = 6002, ["line_items"] = new JsonArray(new JsonObject { ["variant_id"] = 999999, ["quantity"] = 1 }) } });
        var faulted = await Host.VirtualHost!.GetMessageAsync("shopify-webhooks_error", Patience);
        Assert.NotNull(faulted);
        var reason = System.Text.Encoding.UTF8.GetString((byte[])faulted!.BasicProperties.Headers!["MT-Fault-Message"]!);
        Assert.Contains("shopify sku '999999' has no mapping", reason, StringComparison.Ordinal);
        Assert.Contains("999999", System.Text.Encoding.UTF8.GetString(faulted.Body.Span), StringComparison.Ordinal);

        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_storefront_limited_to_2_requests_a_second_ends_with_the_latest_values_and_no_429_storm()
    {
        string[] skus = ["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E"];
        await PutLocationAsync(Dc, new { name = "DC", kind = "DistributionCenter" });
        await MapLocationAsync(Dc, ShopifyDc);
        foreach (var sku in skus)
        {
            await PutItemAsync(sku);
            await MapSkuAsync(sku);
        }

        await ReceiveAsync([.. skus.Select(sku => (sku, Dc, 100))]);

        // The storefront throttles the next call whatever the rate (Retry-After 2 s), and limits the rest to 2/s.
        (await _storefront.PutAsJsonAsync("/storefront/faults", new { throttleNext = 1, retryAfterSeconds = 2 })).EnsureSuccessStatusCode();

        // A burst: 20 rounds of receipts and sales over all five SKUs, posted as fast as the API takes them.
        var movements = 0;
        var onHand = skus.ToDictionary(s => s, _ => 100);
        for (var round = 0; round < 20; round++)
        {
            var batch = new List<object>();
            for (var i = 0; i < skus.Length; i++)
            {
                var (received, sold) = (round % (i + 2), 1 + ((round + i) % 3));
                if (received > 0)
                {
                    batch.Add(Movement("ReceiptPosted", "erp", skus[i], received));
                }

                batch.Add(Movement("SaleRecorded", "pos:store-shop", skus[i], sold));
                onHand[skus[i]] += received - sold;
            }

            var response = await Http.PostAsJsonAsync("/movements", batch);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            movements += batch.Count;
        }

        var expected = new Dictionary<long, int>();
        foreach (var sku in skus)
        {
            await EventuallyAsync(async () => (await BucketsAsync(sku, Dc)).OnHand == onHand[sku], () => $"{sku} to reach {onHand[sku]}");
            expected[Variant(sku)] = await WebQuantityAsync(sku);
        }

        Log($"{movements} movements applied; waiting for the storefront to show {string.Join(", ", expected.Select(e => $"{e.Key}={e.Value}"))}");
        JsonArray levels = [];
        await EventuallyAsync(
            async () =>
            {
                levels = (await _storefront.GetFromJsonAsync<JsonArray>("/storefront/inventory_levels"))!;
                return expected.All(e => levels.Any(l => l!["inventoryItemId"]!.GetValue<long>() == e.Key && l["locationId"]!.GetValue<long>() == ShopifyDc && l["available"]!.GetValue<int>() == e.Value));
            },
            () => $"the storefront's latest values; still wrong: {Mismatches(expected, levels)}; pusher: {StatusText()}",
            TimeSpan.FromSeconds(60));

        // Let a straggler (a push still queued behind the last one) arrive, then read every call the storefront answered.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var calls = (await _storefront.GetFromJsonAsync<JsonArray>("/storefront/calls"))!.Select(c => c!.AsObject()).ToList();
        var throttled = calls.Where(c => Number(c, "status") == 429).ToList();
        Log($"{calls.Count} calls for {movements} movements: {calls.Count(c => Number(c, "status") == 200)} × 200, {throttled.Count} × 429 ({string.Join(", ", throttled.Select(c => c["reason"]))})");

        // Coalesced: far fewer calls than changes. No storm: the forced 429 and at most a couple more.
        Assert.True(calls.Count < movements / 2, $"{calls.Count} calls for {movements} movements: not coalesced.");
        Assert.InRange(throttled.Count, 1, 3);

        // After every 429, nothing arrived before its Retry-After had passed.
        foreach (var refusal in throttled)
        {
            var at = refusal["receivedAt"]!.GetValue<DateTimeOffset>();
            var retryAfter = TimeSpan.FromSeconds(refusal["retryAfterSeconds"]!.GetValue<double>());
            var next = calls.FirstOrDefault(c => c["receivedAt"]!.GetValue<DateTimeOffset>() > at);
            Assert.True(next is null || next["receivedAt"]!.GetValue<DateTimeOffset>() >= at + retryAfter, $"A call at {next?["receivedAt"]} came before the Retry-After ({retryAfter.TotalSeconds} s) of the 429 at {at:O}.");
        }

        // The final value of every key is the last one the storefront received for it (nothing stale came after).
        foreach (var (item, quantity) in expected)
        {
            var last = calls.Last(c => Number(c, "status") == 200 && c["inventoryItemId"]!.GetValue<long>() == item);
            Assert.Equal(quantity, Number(last, "available"));
        }

        var status = await GetJsonAsync("/ecommerce/storefront/status");
        Log($"pusher status: {status.ToJsonString()}");
        Assert.Equal(throttled.Count, Number(status, "throttled"));
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_storefront_that_lost_its_levels_gets_every_key_back_from_a_resync_of_positions()
    {
        await StockAsync(("SKU-R1", 3), ("SKU-R2", 4), ("SKU-R3", 5));
        await PutItemAsync("SKU-NOT-SOLD-ONLINE");
        await ReceiveAsync(("SKU-NOT-SOLD-ONLINE", Dc, 7)); // no Shopify id: skipped and counted, never an error
        await WaitForLevelsAsync(new() { [Variant("SKU-R1")] = 3, [Variant("SKU-R2")] = 4, [Variant("SKU-R3")] = 5 });
        var before = await GetJsonAsync("/ecommerce/storefront/status");

        // The storefront forgets everything (as a crash of the pusher forgets its pending values): an ordinary resync
        // sends nothing, since every version was pushed; a full one pushes every key again, read page by page (pages of
        // 2 here) from positions.
        (await _storefront.PostAsync("/storefront/reset", null)).EnsureSuccessStatusCode();
        var resync = await Http.PostAsync("/ecommerce/storefront/resync?full=true", null);
        Assert.Equal(HttpStatusCode.Accepted, resync.StatusCode);
        await WaitForLevelsAsync(new() { [Variant("SKU-R1")] = 3, [Variant("SKU-R2")] = 4, [Variant("SKU-R3")] = 5 });

        var after = await GetJsonAsync("/ecommerce/storefront/status");
        Log($"pusher status: {after.ToJsonString()}");
        Assert.Equal(Number(before, "resyncs") + 1, Number(after, "resyncs"));
        Assert.True(Number(after, "unknownKeys") > Number(before, "unknownKeys"), "The SKU without a Shopify id was not counted as skipped.");
        Assert.Equal(3, (await _storefront.GetFromJsonAsync<JsonArray>("/storefront/calls"))!.Count);
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_sale_posted_over_http_is_one_trace_from_the_intake_through_the_bus_to_the_storefront_push()
    {
        await StockAsync(("SKU-TRACE", 10));
        await WaitForLevelsAsync(new() { [Variant("SKU-TRACE")] = 10 });
        using var spans = new SpanRecorder("Microsoft.AspNetCore", "System.Net.Http", "MassTransit", StockSyncTelemetry.Name);

        // The test is the caller: its span is the root, and the trace id is this test's alone.
        ActivityTraceId traceId;
        using (var caller = new Activity("test: a till sends a sale").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceId = caller.TraceId;
            var response = await Http.PostAsJsonAsync("/movements", new[] { Movement("SaleRecorded", "pos:store-shop", "SKU-TRACE", 3) });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await WaitForLevelsAsync(new() { [Variant("SKU-TRACE")] = 7 });
        Activity? storefrontCall = null;
        await EventuallyAsync(
            () =>
            {
                var trace = spans.InTrace(traceId);
                var push = trace.FirstOrDefault(a => a.Source.Name == StockSyncTelemetry.Name && a.OperationName == "storefront push");
                storefrontCall = push is null ? null : trace.FirstOrDefault(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == push.SpanId);
                return Task.FromResult(storefrontCall is not null);
            },
            () => $"the storefront call in trace {traceId}; recorded: {string.Join(", ", spans.InTrace(traceId).Select(a => $"{a.Source.Name}/{a.DisplayName}"))}",
            TimeSpan.FromSeconds(60));

        // From the storefront call up to the HTTP intake, parent by parent: one trace, through the bus.
        var chain = spans.Ancestry(storefrontCall!);
        Log($"trace {traceId}: {string.Join(" <- ", chain.Select(a => $"{a.Source.Name}/{a.DisplayName} ({a.Kind})"))}");
        Assert.Equal(ActivityKind.Client, chain[0].Kind);
        // The top: this test's POST (a client span), and under it the host's intake of that request.
        Assert.Equal(("System.Net.Http", ActivityKind.Client), (chain[^1].Source.Name, chain[^1].Kind));
        Assert.Equal(("Microsoft.AspNetCore", ActivityKind.Server), (chain[^2].Source.Name, chain[^2].Kind));
        Assert.All(chain, a => Assert.Equal(traceId, a.TraceId));
        var consumes = chain.Where(a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer).ToList();
        Assert.True(consumes.Count >= 2, $"Expected the ledger's and the storefront consumer's consume spans between the intake and the push, found {consumes.Count}.");
        Assert.Equal(2, chain.Count(a => a.Source.Name == StockSyncTelemetry.Name && a.OperationName == "outbox deliver"));
        var ledger = Assert.Single(chain, a => a.Source.Name == StockSyncTelemetry.Name && a.OperationName == "ledger apply");
        Assert.Equal("SKU-TRACE", ledger.GetTagItem(StockSyncTelemetry.Tags.Sku));
        Assert.Equal("SKU-TRACE", chain[1].GetTagItem(StockSyncTelemetry.Tags.Sku));
        Assert.Equal(Dc, chain[1].GetTagItem(StockSyncTelemetry.Tags.LocationId));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _storefront?.Dispose();
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Items, the DC and the store with their Shopify ids, and stock at the DC.</summary>
    private async Task StockAsync(params (string Sku, int Quantity)[] stock)
    {
        await PutLocationAsync(Dc, new { name = "DC", kind = "DistributionCenter", latitude = 52.24, longitude = -0.90 });
        await PutLocationAsync(Store, new { name = "Store", kind = "Store", latitude = 51.51, longitude = -0.09 });
        await MapLocationAsync(Dc, ShopifyDc);
        await MapLocationAsync(Store, ShopifyStore);
        foreach (var (sku, _) in stock)
        {
            await PutItemAsync(sku);
            await MapSkuAsync(sku);
        }

        await ReceiveAsync([.. stock.Select(s => (s.Sku, Dc, s.Quantity))]);
    }

    private async Task MapSkuAsync(string sku)
    {
        var response = await Http.PutAsJsonAsync($"/mappings/shopify/skus/{Variant(sku)}", new { canonicalId = sku });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task MapLocationAsync(string location, long shopifyId)
    {
        var response = await Http.PutAsJsonAsync($"/mappings/shopify/locations/{shopifyId}", new { canonicalId = location });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The Shopify variant (and inventory item) id of a test SKU: stable, numeric.</summary>
    private static long Variant(string sku) => 40_000_000_000 + Math.Abs(sku.Aggregate(17, (h, c) => unchecked((h * 31) + c)) % 1_000_000);

    private static JsonObject OrderPayload(long id, params (string Sku, int Quantity)[] lines) => OrderPayload(id, null, lines);

    private static JsonObject OrderPayload(long id, string? checkoutToken, params (string Sku, int Quantity)[] lines) => new()
    {
        ["id"] = id,
        ["name"] = $"#{id}",
        ["created_at"] = DateTimeOffset.UtcNow.ToString("O"),
        ["checkout_token"] = checkoutToken,
        ["customer"] = new JsonObject { ["id"] = 115310627314723954 },
        ["line_items"] = Lines(lines),
    };

    private static JsonArray Lines(params (string Sku, int Quantity)[] lines) =>
        [.. lines.Select((l, i) => (JsonNode)new JsonObject { ["id"] = 866550311766439000 + i, ["variant_id"] = Variant(l.Sku), ["sku"] = l.Sku, ["quantity"] = l.Quantity })];

    private object Movement(string type, string source, string sku, int quantity) => new
    {
        type,
        sourceSystem = source,
        sourceMessageId = $"{type}-{Run}-{Guid.NewGuid():N}",
        occurredAt = DateTimeOffset.UtcNow,
        sku,
        locationId = Dc,
        quantity,
    };

    private async Task<int> WebQuantityAsync(string sku)
    {
        var inventory = await GetJsonAsync($"/inventory/{sku}");
        var location = inventory["locations"]!.AsArray().Single(l => l!["locationId"]!.GetValue<string>() == Dc)!;
        return Number(location["channels"]!.AsArray().Single(c => c!["channelId"]!.GetValue<string>() == "web")!, "quantity");
    }

    /// <summary>Asks the storefront simulator to sign and post a webhook to the host; returns the simulator's account of the deliveries.</summary>
    private async Task<JsonObject> SendWebhookAsync(object request)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(request))!.AsObject();
        body["target"] = new Uri(Host.Address!, "/webhooks/shopify").ToString();
        var response = await _storefront.PostAsJsonAsync("/storefront/webhooks/send", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /storefront/webhooks/send: {(int)response.StatusCode} {text}");
        var answer = JsonNode.Parse(text)!.AsObject();
        Log($"{body["topic"]} webhook {answer["webhookId"]}: {string.Join(", ", answer["deliveries"]!.AsArray().Select(d => d!["status"]))}");
        return answer;
    }

    private async Task WaitForLevelsAsync(Dictionary<long, int> expected)
    {
        JsonArray levels = [];
        await EventuallyAsync(
            async () =>
            {
                levels = (await _storefront.GetFromJsonAsync<JsonArray>("/storefront/inventory_levels"))!;
                return expected.All(e => levels.Any(l => l!["inventoryItemId"]!.GetValue<long>() == e.Key && l["available"]!.GetValue<int>() == e.Value));
            },
            () => $"the storefront's levels; still wrong: {Mismatches(expected, levels)}; pusher: {StatusText()}");
    }

    /// <summary>The expected levels the storefront does not show (first in a failure message, which CI may cut short).</summary>
    private static string Mismatches(Dictionary<long, int> expected, JsonArray levels) => string.Join(", ", expected
        .Select(e => (e, shown: levels.FirstOrDefault(l => l!["inventoryItemId"]!.GetValue<long>() == e.Key)))
        .Where(x => x.shown is null || x.shown["available"]!.GetValue<int>() != x.e.Value)
        .Select(x => x.shown is null
            ? $"item {x.e.Key}: {x.e.Value} expected, never pushed"
            : $"item {x.e.Key}: {x.e.Value} expected, {x.shown["available"]} shown after {x.shown["updates"]} updates"));

    private string StatusText()
    {
        try
        {
            return Http.GetStringAsync("/ecommerce/storefront/status").GetAwaiter().GetResult();
        }
        catch (HttpRequestException ex)
        {
            return $"(status not read: {ex.Message})";
        }
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var db = new NpgsqlConnection(Host.Database.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
