using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Orders;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations;

/// <summary>
/// The operators' dashboard in headless Chromium, on a real host (Kestrel on a loopback port, RabbitMQ, PostgreSQL)
/// after a scripted scenario: the ERP's receipt, three sales the ERP never hears of, two click-and-collect orders (one
/// pick open for 5 hours: stuck), an ERP snapshot (one mismatch) and an ERP document naming an unreleased item (a dead
/// letter). The page must show each of them, read from its own JavaScript's calls to the ops API. With
/// <c>STOCKSYNC_DASHBOARD_SCREENSHOT=path.png</c> the test also saves a 1280×900 screenshot (the README's picture).
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string ClickAndCollect = "click_and_collect_sagas";

    private string Store => $"STORE-{Run}";

    private string Mug => $"SKU-{Run}-MUG";

    protected override bool RealHttp => true;

    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Erp:Inbound:Url"] = $"{SimulatorUrl}/erp";
            settings["Erp:Inbound:PollInterval"] = "00:00:00.500";
            settings["Operations:DeadLetters:Enabled"] = "true";
            settings["Operations:DeadLetters:PollInterval"] = "00:00:00.200";
            return settings;
        }
    }

    [Fact]
    public async Task The_dashboard_shows_sagas_by_state_the_stuck_pick_the_dead_letter_the_divergence_and_the_latency()
    {
        await using var simulator = await StartSimulatorsAsync();
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };

        // The ERP's master data and a receipt of 20 mugs at the store.
        await ErpDeadLetters.SendAsync(erp, HttpMethod.Put, "sites", new { sites = new[] { new { siteCode = "S-ST", locationId = Store, name = "Store", kind = "Store" } } });
        await ErpDeadLetters.SendAsync(erp, HttpMethod.Put, "items", new { items = new[] { new { itemNumber = "100-MUG", sku = Mug, description = "Mug", orderUnit = "EA", unitsPerOrderUnit = 1, barcodes = new[] { "4000000000017" } } } });
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}", "S-ST", "100-MUG", 20);
        await WaitForOnHandAsync(20, "the ERP's receipt");

        // Three sales at the till, which the ERP does not hear of (its postings are off in tests): 4 units off.
        foreach (var (n, quantity) in new[] { (1, 1), (2, 2), (3, 1) })
        {
            using var sale = await PostAsync("/movements", new { type = "SaleRecorded", sourceSystem = "pos:dashboard", sourceMessageId = $"{Run}-{n}", occurredAt = DateTimeOffset.UtcNow, sku = Mug, locationId = Store, quantity });
            Assert.True(sale.StatusCode == HttpStatusCode.Accepted, $"POST /movements: {(int)sale.StatusCode} {await sale.Content.ReadAsStringAsync()}");
        }

        await WaitForOnHandAsync(16, "the sales");

        // Two click-and-collect orders: one held, one paid and picking, its pick open for 5 hours (threshold 4 hours).
        var held = $"CC-{Run}-HELD";
        var picking = $"CC-{Run}-PICKING";
        await ViewAsync(await ReserveAsync(held), "Reserved", held);
        await ViewAsync(await ReserveAsync(picking), "Reserved", picking);
        await ViewAsync(await PostAsync($"/click-and-collect/{picking}/payment?wait=10"), "Picking", $"{picking} payment");
        await using (var db = new NpgsqlConnection(Host.Database.ConnectionString))
        {
            await db.OpenAsync();
            await using var age = new NpgsqlCommand("UPDATE click_and_collect_sagas SET updated_at = updated_at - interval '5 hours' WHERE order_id = @order", db);
            age.Parameters.AddWithValue("order", picking);
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        var stuck = Assert.Single(await GetArrayAsync($"/ops/sagas/stuck?saga={ClickAndCollect}"))!;
        var stuckId = (string)stuck["correlationId"]!;

        // The ERP's snapshot: 20 mugs in its book, 16 in StockSync's.
        using (var fetch = await PostAsync("/erp/snapshots/fetch"))
        {
            Assert.Equal(HttpStatusCode.Accepted, fetch.StatusCode);
            var snapshotId = (string)(await fetch.Content.ReadFromJsonAsync<JsonObject>())!["snapshotId"]!;
            await EventuallyAsync(async () => (await Http.GetAsync($"/erp/reconciliation?snapshotId={snapshotId}")).StatusCode == HttpStatusCode.OK, () => $"snapshot {snapshotId} to be stored");
        }

        // After the snapshot, a receipt of an item the ERP has not released: it faults on erp-documents and lands in the dead letters.
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}-POT", "S-ST", "300-POT", 4);
        await EventuallyAsync(async () => (await GetArrayAsync("/ops/dead-letters?status=Open")).Count == 1, () => "the document's dead letter");

        var reconciliation = await GetJsonAsync("/erp/reconciliation");
        Assert.Equal((1, 4), (Number(reconciliation, "mismatches"), Number(reconciliation, "unitsOff")));
        var latency = await GetJsonAsync("/ops/latency?minutes=60");
        Log($"latency: {Json(latency)}");
        Assert.Equal(3, latency["points"]!.AsArray().Sum(p => Number(p!, "count")));

        // The page, its files and its headers.
        await AssertServedSafelyAsync("/dashboard", "text/html");
        await AssertServedSafelyAsync("/dashboard/dashboard.js", "text/javascript");
        await AssertServedSafelyAsync("/dashboard/dashboard.css", "text/css");
        await ProblemAsync(await Http.GetAsync("/ops/latency?minutes=0"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "a window of 0 minutes");

        await using var chromium = await HeadlessChromium.StartAsync();
        await chromium.SetViewportAsync(1280, 900);
        await chromium.NavigateAsync(new Uri(Host.Address!, "/dashboard"));
        await EventuallyAsync(async () => (string?)await chromium.EvaluateAsync("document.body && document.body.dataset.loaded") == "true", () => "the page's first refresh");
        Log($"page status: {await TextAsync(chromium, "#status")}; errors: {await chromium.EvaluateAsync("document.body.dataset.errors")}");
        Assert.Equal("0", (string?)await chromium.EvaluateAsync("document.body.dataset.errors"));
        Assert.Equal("Live", await TextAsync(chromium, "#status"));

        // Sagas by state: the click-and-collect saga with one order held and one picking.
        var states = await chromium.EvaluateAsync(
            $"[...document.querySelectorAll('#sagas-body [data-saga=\"{ClickAndCollect}\"] .state')].map(s => s.dataset.state + '=' + s.querySelector('b').textContent)");
        Assert.Equal(["Picking=1", "Reserved=1"], states!.AsArray().Select(s => (string)s!).Order(StringComparer.Ordinal));
        Assert.Contains("Click and collect", await TextAsync(chromium, "#sagas-body"), StringComparison.Ordinal);

        // Stuck sagas: the pick's row, 5 hours in Picking against a threshold of 4.
        var stuckRows = await chromium.EvaluateAsync("[...document.querySelectorAll('#stuck-body tbody tr')].map(r => r.innerText)");
        var stuckRow = (string)Assert.Single(stuckRows!.AsArray())!;
        Log($"stuck row: {stuckRow}");
        Assert.Contains(stuckId, stuckRow, StringComparison.Ordinal);
        Assert.Contains("Picking", stuckRow, StringComparison.Ordinal);
        Assert.Contains("4 h 0 min", stuckRow, StringComparison.Ordinal);
        Assert.Contains("5 h ", stuckRow, StringComparison.Ordinal);

        // Dead letters: one open, in the erp-documents group, with its reason.
        Assert.Equal("1", await TextAsync(chromium, "#dead-letters-open"));
        var group = await TextAsync(chromium, "#dead-letters-body tr[data-queue=\"erp-documents\"]");
        Log($"dead-letter group: {group}");
        Assert.Contains("UnmappedIdException", group, StringComparison.Ordinal);
        Assert.Contains("300-POT", group, StringComparison.Ordinal);

        // Divergence: one mismatch, 4 units off, the mug at the store 20 in the ERP and 16 here.
        Assert.Equal(("1", "4"), (await TextAsync(chromium, "#divergence-mismatches"), await TextAsync(chromium, "#divergence-units")));
        var mismatch = await TextAsync(chromium, $"#divergence-body tr[data-sku=\"{Mug}\"]");
        Assert.Equal([Mug, Store, "20", "16", "-4"], mismatch.Split('\t', StringSplitOptions.TrimEntries));

        // The latency chart: the three sales, drawn as points on both lines.
        Assert.Equal("3", await TextAsync(chromium, "#latency-sales"));
        var points = (int)(await chromium.EvaluateAsync("Number(document.querySelector('#latency-body svg').dataset.points)"))!;
        Assert.Equal(latency["points"]!.AsArray().Count, points);
        Assert.True(points >= 1, "the chart has points");
        Assert.Equal(2 * points, (int)(await chromium.EvaluateAsync("document.querySelectorAll('#latency-body svg circle').length"))!);
        Assert.Equal(2, (int)(await chromium.EvaluateAsync("document.querySelectorAll('#latency-body svg polyline').length"))!);

        if (Environment.GetEnvironmentVariable("STOCKSYNC_DASHBOARD_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await chromium.ScreenshotAsync(screenshot);
            Log($"screenshot saved to {Path.GetFullPath(screenshot)}");
        }
    }

    private Task<HttpResponseMessage> ReserveAsync(string orderId) =>
        PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Mug, quantity = 1 } } });

    private Task WaitForOnHandAsync(int onHand, string what) =>
        EventuallyAsync(
            async () => (await Http.GetAsync($"/inventory/{Mug}")).StatusCode == HttpStatusCode.OK && (await BucketsAsync(Mug, Store)).OnHand == onHand,
            () => $"{what}: on-hand of {Mug} at {Store} to reach {onHand}");

    private async Task AssertServedSafelyAsync(string path, string mediaType)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static async Task<string> TextAsync(HeadlessChromium chromium, string selector) =>
        (string?)await chromium.EvaluateAsync($"(document.querySelector('{selector.Replace("'", "\\'", StringComparison.Ordinal)}') || {{ innerText: '(missing {selector.Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal)})' }}).innerText") ?? string.Empty;

    private async Task<JsonArray> GetArrayAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray();
    }
}
