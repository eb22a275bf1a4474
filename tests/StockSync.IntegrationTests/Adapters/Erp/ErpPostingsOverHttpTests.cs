using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using StockSync.IntegrationTests.Orders;
using StockSync.Ledger;
using StockSync.Simulators;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Adapters.Erp;

/// <summary>
/// ERP postings end to end: the real host on RabbitMQ and PostgreSQL, driven over HTTP (till sales, returns and
/// adjustments through <c>/movements</c>, orders shipped through <c>/orders</c>), posting to the ERP simulator over real
/// HTTP. The simulator goes down for a minute of wall-clock time while sales keep applying; when it comes back every
/// posting arrives once, in order. A posting the ERP refuses ends in the exception queue after N attempts without
/// holding up the others, and an operator requeues it through <c>/erp/postings</c>.
/// </summary>
public sealed class ErpPostingsOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-ERP";
    private const string ShipSku = "SKU-ERP-SHIP";
    private const string Store = "STORE-ERP";
    private const string Dc = "DC-ERP";
    private const string Till = "pos:store-erp";
    private const int MaxAttempts = 3;

    /// <summary>The README's query: the exception queue.</summary>
    public const string ExceptionQueue =
        "SELECT sequence, posting_id, kind, attempts, failed_at, last_error FROM erp_postings WHERE status = 'Failed' ORDER BY sequence";

    /// <summary>How long the ERP stays down: "an ERP outage of a minute".</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);

    private readonly int _simulatorPort = FreePort();

    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Erp:Postings:DispatcherEnabled"] = "true";
            settings["Erp:Postings:Url"] = $"http://127.0.0.1:{_simulatorPort}/erp/postings";
            settings["Erp:Postings:BatchSize"] = "4";
            settings["Erp:Postings:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Backoff 1 s, then 2 s: a recovered ERP is noticed within 2 s, and a refused posting has used its three
            // attempts about 3 s after the first.
            settings["Erp:Postings:RetryBaseDelay"] = "00:00:01";
            settings["Erp:Postings:MaxRetryDelay"] = "00:00:02";
            settings["Erp:Postings:RequestTimeout"] = "00:00:05";
            settings["Erp:Postings:Lease"] = "00:00:15";
            settings["Erp:Postings:PollInterval"] = "00:00:00.100";
            return settings;
        }
    }

    [Fact]
    public async Task An_ERP_outage_of_a_minute_never_blocks_sales_loses_no_posting_and_the_postings_arrive_once_and_in_order_when_it_ends()
    {
        await using var simulator = await StartSimulatorAsync();
        await StockAsync();
        await SetFaultsAsync(new { outage = true });
        var outage = Stopwatch.StartNew();
        Log("ERP outage begins");

        // Until a minute has passed: a till sale, an order shipped from the DC, a customer return and a shrink
        // adjustment, in turn. Each is applied at once (the position moves while the ERP is down), and each one's
        // posting is queued before the next action, so the queue order is the order of the actions.
        var expected = new List<string>();
        var onHand = 100;
        var quarantined = 0; // returned units wait for inspection: on hand, not sellable
        for (var step = 1; outage.Elapsed < Outage; step++)
        {
            var callsBefore = (await CallsAsync()).Count;
            switch (step % 4)
            {
                case 1:
                    expected.Add(await SellAsync($"T-{Run}-{step}", Sku));
                    onHand--;
                    await WaitForOnHandAsync(Sku, Store, onHand, "a sale during the outage");
                    break;
                case 2:
                    expected.Add(await ShipOrderAsync($"SO-{Run}-{step}"));
                    break;
                case 3:
                    expected.Add(await MovementAsync("ReturnReceived", $"R-{Run}-{step}", Sku, 1, new { returnId = $"RMA-{step}" }));
                    onHand++;
                    quarantined++;
                    await WaitForOnHandAsync(Sku, Store, onHand, "a return during the outage");
                    break;
                default:
                    expected.Add(await MovementAsync("InventoryAdjusted", $"A-{Run}-{step}", Sku, -1, new { reasonCode = "SHRINK" }));
                    onHand--;
                    await WaitForOnHandAsync(Sku, Store, onHand, "an adjustment during the outage");
                    break;
            }

            await WaitForQueuedAsync(expected);

            // The dispatcher keeps asking the ERP (with backoff), and the ERP books nothing while it is down.
            await EventuallyAsync(
                async () => (await CallsAsync()).Count >= callsBefore + 2 || !await DelayAsync(TimeSpan.FromMilliseconds(250)),
                () => "the dispatcher to retry the unavailable ERP",
                TimeSpan.FromSeconds(20));
            Assert.Empty(await BookAsync());
        }

        var calls = await CallsAsync();
        Log($"after {outage.Elapsed.TotalSeconds:0.0} s of outage: {expected.Count} postings queued, {calls.Count} requests refused with 503");
        Assert.All(calls, c => Assert.Equal(503, c!["status"]!.GetValue<int>()));
        Assert.True(expected.Count >= 8, $"Only {expected.Count} actions during the outage.");
        var waiting = await PostingsAsync("Pending");
        Assert.Equal(expected, waiting.Select(p => p!["postingId"]!.GetValue<string>()));
        Assert.All(waiting, p => Assert.Equal(0, Number(p!, "attempts"))); // an outage costs the postings nothing
        Assert.StartsWith("ERP unavailable", waiting[0]!["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertBucketsAsync("sales applied during the outage", Sku, Store, onHand, 0, 0, onHand - quarantined);

        // The ERP comes back: the queue drains in order, each posting booked exactly once.
        await SetFaultsAsync(new { });
        outage.Stop();
        Log($"ERP back after {outage.Elapsed.TotalSeconds:0.0} s");
        await EventuallyAsync(async () => (await PostingsAsync("Posted")).Count == expected.Count, () => "every posting to be posted");
        Log("queue drained");

        var book = await BookAsync();
        Assert.Equal(expected, book.Select(b => b!["postingId"]!.GetValue<string>()));
        Assert.All(book, b => Assert.Equal(1, Number(b!, "deliveries")));
        var sequences = book.Select(b => b!["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Empty(await PostingsAsync("Pending"));
        Assert.Empty(await PostingsAsync("Failed"));
        Assert.All(await PostingsAsync("Posted"), p => Assert.Equal(1, Number(p!, "attempts")));
        // Batches of at most 4, as configured.
        Assert.All((await CallsAsync()).Where(c => c!["status"]!.GetValue<int>() == 200), c => Assert.InRange(c!["postingIds"]!.AsArray().Count, 1, 4));

        // What the ERP received for a sale and a shipment.
        var sale = book.Single(b => b!["postingId"]!.GetValue<string>() == expected[0])!["document"]!;
        Assert.Equal(("Sale", Store, Sku, 1), (sale["kind"]!.GetValue<string>(), sale["locationId"]!.GetValue<string>(), sale["lines"]![0]!["sku"]!.GetValue<string>(), sale["lines"]![0]!["quantity"]!.GetValue<int>()));
        var shipment = book.Single(b => b!["postingId"]!.GetValue<string>() == expected[1])!["document"]!;
        Assert.Equal(("Shipment", Dc, ShipSku, 1), (shipment["kind"]!.GetValue<string>(), shipment["locationId"]!.GetValue<string>(), shipment["lines"]![0]!["sku"]!.GetValue<string>(), shipment["lines"]![0]!["quantity"]!.GetValue<int>()));

        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_posting_the_ERP_refuses_lands_in_the_exception_queue_after_N_attempts_without_blocking_the_rest_and_an_operator_requeues_it()
    {
        await using var simulator = await StartSimulatorAsync();
        await StockAsync();
        var refused = $"sale:{Till}:T-{Run}-2";
        await SetFaultsAsync(new { refusePostingIds = new[] { refused } });

        // Five sales in one request, and a sale of a SKU the ledger does not know: the ledger refuses that one, so the
        // ERP never hears of it.
        var sales = Enumerable.Range(1, 5).Select(i => $"T-{Run}-{i}").ToList();
        var response = await Http.PostAsJsonAsync("/movements", sales.Select(id => SaleBody(id, Sku)).Append(SaleBody($"T-{Run}-UNKNOWN", "SKU-NOBODY-KNOWS")).ToArray());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var failed = await WaitForPostingAsync(refused, "Failed");
        Log($"exception queue: {Json(failed)}");
        Assert.Equal(MaxAttempts, Number(failed, "attempts"));
        Assert.Contains("HTTP 400", failed["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(refused, Assert.Single(await PostingsAsync("Failed"))!["postingId"]!.GetValue<string>());
        Assert.Equal(MaxAttempts, (await CallsAsync()).Count(c => c!["refused"]!.AsArray().Any(r => r!.GetValue<string>() == refused)));
        await using (var db = new NpgsqlConnection(Host.Database.ConnectionString))
        {
            await db.OpenAsync();
            var rows = await QueryAsync(db, ExceptionQueue);
            Log($"{ExceptionQueue}\n  -> {string.Join("; ", rows.Select(Describe))}");
            var row = Assert.Single(rows);
            Assert.Equal((refused, "Sale", MaxAttempts), ((string)row["posting_id"]!, (string)row["kind"]!, (int)row["attempts"]!));
        }

        // The others went to the ERP in queue order, and none waited for the refused one's attempts to run out.
        var failedAt = failed["failedAt"]!.GetValue<DateTime>();
        var others = (await PostingsAsync(null)).Where(p => p!["postingId"]!.GetValue<string>() != refused).ToList();
        Assert.Equal(4, others.Count);
        Assert.All(others, p => Assert.True(p!["status"]!.GetValue<string>() == "Posted" && p["postedAt"]!.GetValue<DateTime>() < failedAt, $"{Json(p)} should be posted before {failedAt:O}"));
        Assert.Equal(others.Select(p => p!["postingId"]!.GetValue<string>()), (await BookAsync()).Select(b => b!["postingId"]!.GetValue<string>()));

        // The unknown SKU's sale was refused by the ledger (it waits in the isolated error queue) and is not posted.
        await WaitForErrorQueueAsync($"{LedgerOptions.IsolatedEndpointName}_error", 1);
        Assert.DoesNotContain(await PostingsAsync(null), p => p!["postingId"]!.GetValue<string>().Contains("UNKNOWN", StringComparison.Ordinal));

        // Later postings are not held up by the exception queue either.
        var later = await SellAsync($"T-{Run}-6", Sku);
        await WaitForPostingAsync(later, "Posted");

        // Operators: bad queries, requeueing what is not failed, and a posting that does not exist are problems.
        await ProblemAsync(await Http.GetAsync("/erp/postings?status=Lost"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "unknown status");
        var notFailed = await ProblemAsync(await PostAsync($"/erp/postings/{later}/requeue"), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition", "requeue a posted posting");
        Assert.Equal("Posted", notFailed["currentStatus"]!.GetValue<string>());
        await ProblemAsync(await PostAsync("/erp/postings/sale:nowhere:0/requeue"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "requeue an unknown posting");

        // The cause is fixed in the ERP; the operator requeues the posting and it is booked, once.
        await SetFaultsAsync(new { });
        var requeued = await PostAsync($"/erp/postings/{refused}/requeue");
        Assert.Equal(HttpStatusCode.OK, requeued.StatusCode);
        var view = JsonNode.Parse(await requeued.Content.ReadAsStringAsync())!;
        Assert.Equal(("Pending", 0), (view["status"]!.GetValue<string>(), Number(view, "attempts")));
        var posted = await WaitForPostingAsync(refused, "Posted");
        Assert.Equal(1, Number(posted, "attempts"));
        var book = await BookAsync();
        Assert.Equal(refused, book[^1]!["postingId"]!.GetValue<string>());
        Assert.Equal(6, book.Count);
        Assert.All(book, b => Assert.Equal(1, Number(b!, "deliveries")));
        Assert.Empty(await PostingsAsync("Failed"));
        await AssertBucketsAsync("six sales applied", Sku, Store, 94, 0, 0, 94);
    }

    // -----------------------------------------------------------------------------------------------------------------

    private async Task StockAsync()
    {
        await PutItemAsync(Sku);
        await PutItemAsync(ShipSku);
        await PutLocationAsync(Store, new { name = "ERP store", kind = "Store" });
        await PutLocationAsync(Dc, new { name = "ERP DC", kind = "DistributionCenter", sourcingPriority = 1 });
        // Receipts come from the ERP itself: they are not posted back to it.
        await ReceiveAsync((Sku, Store, 100), (ShipSku, Dc, 100));
        Assert.Empty(await PostingsAsync(null));
    }

    private static object SaleBody(string id, string sku) => new
    {
        type = "SaleRecorded",
        sourceSystem = Till,
        sourceMessageId = id,
        occurredAt = DateTimeOffset.UtcNow,
        sku,
        locationId = Store,
        quantity = 1,
        transactionId = id,
    };

    /// <summary>A till sale of one unit at the store; returns its posting id.</summary>
    private async Task<string> SellAsync(string id, string sku)
    {
        var response = await Http.PostAsJsonAsync("/movements", SaleBody(id, sku));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return $"sale:{Till}:{id}";
    }

    /// <summary>A store movement of <paramref name="type"/> with extra fields; returns its posting id.</summary>
    private async Task<string> MovementAsync(string type, string id, string sku, int quantity, object extra)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra))!.AsObject();
        body["type"] = type;
        body["sourceSystem"] = Till;
        body["sourceMessageId"] = id;
        body["occurredAt"] = DateTimeOffset.UtcNow;
        body["sku"] = sku;
        body["locationId"] = Store;
        body["quantity"] = quantity;
        var response = await PostRawAsync("/movements", body.ToJsonString());
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /movements {type}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return $"{(type == "ReturnReceived" ? "return" : "adjustment")}:{Till}:{id}";
    }

    /// <summary>Places a one-unit order, which the DC ships; returns the shipment's posting id.</summary>
    private async Task<string> ShipOrderAsync(string orderId)
    {
        await ViewAsync(await PostAsync("/orders?wait=10", new { orderId, channelId = "web", lines = new[] { new { sku = ShipSku, quantity = 1 } } }), "Fulfilling", $"place {orderId}");
        await ViewAsync(await PostAsync($"/orders/{orderId}/shipments/{orderId}-S1/picked?wait=10"), "Fulfilling", $"{orderId} picked");
        await ViewAsync(await PostAsync($"/orders/{orderId}/shipments/{orderId}-S1/dispatched?wait=10", new { trackingNumber = $"TRK-{orderId}" }), "Completed", $"{orderId} dispatched");
        return $"shipment:{orderId}-S1";
    }

    private async Task WaitForOnHandAsync(string sku, string location, int onHand, string what) =>
        await EventuallyAsync(async () => (await BucketsAsync(sku, location)).OnHand == onHand, () => $"{what}: on-hand of {sku} at {location} to reach {onHand}");

    /// <summary>Waits until the queue holds exactly <paramref name="expected"/>, in that order.</summary>
    private async Task WaitForQueuedAsync(List<string> expected)
    {
        List<string> queued = [];
        await EventuallyAsync(
            async () => (queued = [.. (await PostingsAsync(null)).Select(p => p!["postingId"]!.GetValue<string>())]).Count >= expected.Count,
            () => $"{expected[^1]} to be queued (queue: {string.Join(", ", queued)})");
        Assert.Equal(expected, queued);
    }

    private async Task<JsonObject> WaitForPostingAsync(string postingId, string status)
    {
        JsonObject? last = null;
        await EventuallyAsync(
            async () =>
            {
                var response = await Http.GetAsync($"/erp/postings/{postingId}");
                last = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject() : null;
                return last?["status"]?.GetValue<string>() == status;
            },
            () => $"ERP posting {postingId} to be {status} (last: {last?.ToJsonString() ?? "not queued"})");
        return last!;
    }

    private async Task<JsonArray> PostingsAsync(string? status) =>
        (await Http.GetFromJsonAsync<JsonArray>(status is null ? "/erp/postings?limit=1000" : $"/erp/postings?status={status}&limit=1000"))!;

    private async Task WaitForErrorQueueAsync(string queue, uint count)
    {
        await using var connection = await Host.VirtualHost!.ConnectAsync();
        await EventuallyAsync(
            async () =>
            {
                await using var channel = await connection.CreateChannelAsync();
                try
                {
                    return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount >= count;
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    return false; // declared with the first fault
                }
            },
            () => $"{count} message(s) in {queue}");
    }

    // The ERP simulator ------------------------------------------------------------------------------------------------

    private async Task<WebApplication> StartSimulatorAsync()
    {
        var (app, address) = await SimulatorApp.StartAsync(_simulatorPort);
        Log($"ERP simulator on {address}");
        return app;
    }

    private async Task SetFaultsAsync(object faults)
    {
        using var client = new HttpClient();
        var response = await client.PutAsJsonAsync($"http://127.0.0.1:{_simulatorPort}/erp/faults", faults);
        Assert.True(response.IsSuccessStatusCode, $"PUT /erp/faults: {(int)response.StatusCode}");
    }

    /// <summary>What the ERP booked, in arrival order.</summary>
    private async Task<JsonArray> BookAsync()
    {
        using var client = new HttpClient();
        return JsonNode.Parse(await client.GetStringAsync($"http://127.0.0.1:{_simulatorPort}/erp/postings"))!.AsArray();
    }

    /// <summary>Every request the ERP received, with its answer.</summary>
    private async Task<JsonArray> CallsAsync()
    {
        using var client = new HttpClient();
        return JsonNode.Parse(await client.GetStringAsync($"http://127.0.0.1:{_simulatorPort}/erp/postings/calls"))!.AsArray();
    }

    /// <summary>Waits, then answers true: slows a poll of the simulator down to a few requests a second.</summary>
    private static async Task<bool> DelayAsync(TimeSpan delay)
    {
        await Task.Delay(delay);
        return true;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
