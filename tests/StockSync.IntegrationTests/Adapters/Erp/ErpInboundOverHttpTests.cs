using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StockSync.IntegrationTests.Orders;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Adapters.Erp;

/// <summary>
/// The ERP adapter's inbound side end to end: the real host on RabbitMQ and PostgreSQL polls the ERP simulator over real
/// HTTP (master data, then documents, with the feed repeating and shuffling them) and reads its CSV batch export from a
/// drop folder. Quantities in cases arrive in eaches, every document applies once whichever way and however often it
/// arrives, a bad file is refused whole with the line named, an unmapped item faults with its raw document and applies
/// once after the master data and a replay, and an ERP snapshot is held against the ledger.
/// </summary>
public sealed class ErpInboundOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private readonly string _dropFolder = Directory.CreateTempSubdirectory("stocksync-erp-drop-").FullName;

    private string Dc => $"DC-{Run}";

    private string Store => $"STORE-{Run}";

    private string Mug => $"SKU-{Run}-MUG";

    private string Tea => $"SKU-{Run}-TEA";

    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Erp:Inbound:Url"] = $"{SimulatorUrl}/erp";
            settings["Erp:Inbound:PollInterval"] = "00:00:00.500";
            settings["Erp:Inbound:PageSize"] = "2"; // several pages per poll
            settings["Erp:Inbound:DropFolder"] = _dropFolder;
            settings["Erp:Inbound:DropFolderInterval"] = "00:00:00.500";
            return settings;
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dropFolder, recursive: true);
    }

    [Fact]
    public async Task Master_data_receipts_and_transfers_arrive_in_eaches_once_by_REST_and_by_CSV_and_the_snapshot_reconciles()
    {
        await using var simulator = await StartSimulatorsAsync();
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };
        await MasterDataAsync(erp, ("100-MUG", Mug, "CS", 12, "4000000000017"), ("200-TEA", Tea, "EA", 1, "4000000000024"));
        await Send(erp, HttpMethod.Put, "faults", new { duplicateDocuments = true, shuffleDocuments = true });

        // A PO receipt of 2 cases of mugs and 5 teas at the DC; 6 mugs transferred to the store, both legs.
        await DocumentAsync(erp, "PurchaseReceipt", $"PO-{Run}-1", "S-DC", null, (1, "100-MUG", 2, "CS"), (2, "200-TEA", 5, "EA"));
        await DocumentAsync(erp, "TransferShipment", $"TR-{Run}-1", "S-DC", "S-ST", (1, "100-MUG", 6, "EA"));
        await DocumentAsync(erp, "TransferReceipt", $"TR-{Run}-1", "S-ST", "S-DC", (1, "100-MUG", 6, "EA"));

        await WaitForOnHandAsync(Mug, Store, 6, "the transfer's receipt at the store");
        await WaitForOnHandAsync(Mug, Dc, 18, "24 mugs received, 6 shipped");
        await WaitForOnHandAsync(Tea, Dc, 5, "the teas");
        var barcode = await MappingAsync("pos", "4000000000017");
        Assert.Equal(Mug, barcode!["canonicalId"]!.GetValue<string>());
        var item = await MappingAsync("erp", "100-MUG");
        Assert.Equal((Mug, 12), (item!["canonicalId"]!.GetValue<string>(), item["unitsPerExternal"]!.GetValue<int>()));
        var site = await MappingAsync("erp", "S-ST");
        Assert.Equal(("Location", Store), (site!["kind"]!.GetValue<string>(), site["canonicalId"]!.GetValue<string>()));

        // The same documents again, as the legacy CSV export: nothing changes. Then a receipt that only the CSV carries.
        var export = await Send(erp, HttpMethod.Post, "exports", new { folder = _dropFolder, kinds = new[] { "documents" }, documentsAfter = 0 });
        Log($"exported {export.ToJsonString()}");
        await EventuallyAsync(() => Task.FromResult(Processed().Length == 1), () => "the export to be taken");
        await File.WriteAllTextAsync(
            Path.Combine(_dropFolder, $"documents_{Run}_csv-only.csv"),
            "document_type,document_number,occurred_at,site_code,other_site_code,line_number,item_number,quantity,unit\r\n"
            + $"PurchaseReceipt,PO-{Run}-CSV,2026-11-23T09:00:00Z,S-ST,,1,200-TEA,3,EA\r\n");
        await WaitForOnHandAsync(Tea, Store, 3, "the receipt only the CSV file carries");

        // A file with a bad row is refused whole, with the line named, and nothing of it applies.
        await File.WriteAllTextAsync(
            Path.Combine(_dropFolder, $"documents_{Run}_bad.csv"),
            "document_type,document_number,occurred_at,site_code,other_site_code,line_number,item_number,quantity,unit\r\n"
            + $"PurchaseReceipt,PO-{Run}-BAD,2026-11-23T10:00:00Z,S-ST,,1,200-TEA,4,EA\r\n"
            + $"PurchaseReceipt,PO-{Run}-BAD,2026-11-23T10:00:00Z,S-ST,,2,100-MUG,four,EA\r\n");
        var error = Path.Combine(_dropFolder, "failed", $"documents_{Run}_bad.csv.error.txt");
        await EventuallyAsync(() => Task.FromResult(File.Exists(error)), () => "the bad file to be refused");
        var reason = await File.ReadAllTextAsync(error);
        Log($"refused: {reason.Trim()}");
        Assert.Contains("line 3: quantity 'four' is not a whole number", reason, StringComparison.Ordinal);

        // Positions: each document once, whatever the feed repeated or the export re-sent.
        await AssertBucketsAsync("in the end", Mug, Dc, onHand: 18, reserved: 0, allocated: 0, availableToSell: 18);
        await AssertBucketsAsync("in the end", Mug, Store, onHand: 6, reserved: 0, allocated: 0, availableToSell: 6);
        await AssertBucketsAsync("in the end", Tea, Dc, onHand: 5, reserved: 0, allocated: 0, availableToSell: 5);
        await AssertBucketsAsync("in the end", Tea, Store, onHand: 3, reserved: 0, allocated: 0, availableToSell: 3);
        Assert.Equal(["processed"], Directory.GetDirectories(_dropFolder).Select(Path.GetFileName).Where(d => d != "failed"));
        Assert.Empty(Directory.GetFiles(_dropFolder, "*.csv"));

        // The ERP's snapshot: its book has the REST documents but not the CSV-only receipt, which shows as the one mismatch.
        var fetch = await PostAsync("/erp/snapshots/fetch");
        Assert.Equal(HttpStatusCode.Accepted, fetch.StatusCode);
        var snapshotId = (await fetch.Content.ReadFromJsonAsync<JsonObject>())!["snapshotId"]!.GetValue<string>();
        JsonObject? report = null;
        await EventuallyAsync(
            async () => (await Http.GetAsync($"/erp/reconciliation?snapshotId={snapshotId}")) is { StatusCode: HttpStatusCode.OK } r
                && (report = await r.Content.ReadFromJsonAsync<JsonObject>())!["complete"]!.GetValue<bool>(),
            () => $"snapshot {snapshotId} to be stored");
        Log($"reconciliation: {report!.ToJsonString()}");
        Assert.Equal(4, Number(report, "keysCompared"));
        Assert.Equal(1, Number(report, "mismatches"));
        var mismatch = Assert.Single(report["largest"]!.AsArray())!;
        Assert.Equal((Tea, Store, 0, 3, 3), (mismatch["sku"]!.GetValue<string>(), mismatch["locationId"]!.GetValue<string>(), Number(mismatch, "snapshotOnHand"), Number(mismatch, "stockSyncOnHand"), Number(mismatch, "delta")));
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_document_with_an_unmapped_item_faults_with_its_raw_document_and_applies_once_after_the_master_data_and_a_replay()
    {
        await using var simulator = await StartSimulatorsAsync();
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };
        await MasterDataAsync(erp, ("100-MUG", Mug, "CS", 12, "4000000000017"));

        // The ERP books a receipt of an item it has not released in its master yet.
        await DocumentAsync(erp, "PurchaseReceipt", $"PO-{Run}-NEW", "S-DC", null, (1, "300-POT", 2, "CS"));
        (uint Count, string Reason) fault = default;
        await EventuallyAsync(async () => (fault = await ErrorQueueAsync("erp-documents_error")).Count > 0, () => "the document to fault");
        Log($"erp-documents_error: {fault.Count} message(s): {fault.Reason}");
        Assert.Equal(1u, fault.Count);
        Assert.Contains("erp sku '300-POT' has no mapping", fault.Reason, StringComparison.Ordinal);

        // The item master catches up; the operator replays the document: it applies once, in eaches.
        var pot = $"SKU-{Run}-POT";
        await Send(erp, HttpMethod.Put, "items", new { items = new[] { new { itemNumber = "300-POT", sku = pot, description = "Teapot", orderUnit = "CS", unitsPerOrderUnit = 4, barcodes = Array.Empty<string>() } } });
        await EventuallyAsync(async () => await MappingAsync("erp", "300-POT") is not null, () => "the new item's mapping");
        Assert.Equal(1, await ReplayErrorQueueAsync("erp-documents_error"));
        await WaitForOnHandAsync(pot, Dc, 8, "the replayed receipt");

        // Read again by the export: still once.
        await Send(erp, HttpMethod.Post, "exports", new { folder = _dropFolder, kinds = new[] { "items", "sites", "documents" }, documentsAfter = 0 });
        await EventuallyAsync(() => Task.FromResult(Processed().Length == 3), () => "the export to be taken");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await AssertBucketsAsync("in the end", pot, Dc, onHand: 8, reserved: 0, allocated: 0, availableToSell: 8);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_reconciliation_with_three_seeded_differences_reports_exactly_those_and_correcting_them_leaves_none()
    {
        await using var simulator = await StartSimulatorsAsync();
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };
        await MasterDataAsync(erp, ("100-MUG", Mug, "EA", 1, "4000000000017"), ("200-TEA", Tea, "EA", 1, "4000000000024"));
        await DocumentAsync(erp, "PurchaseReceipt", $"PO-{Run}-DC", "S-DC", null, (1, "100-MUG", 20, "EA"), (2, "200-TEA", 30, "EA"));
        await DocumentAsync(erp, "PurchaseReceipt", $"PO-{Run}-ST", "S-ST", null, (1, "100-MUG", 10, "EA"), (2, "200-TEA", 12, "EA"));
        await WaitForOnHandAsync(Tea, Store, 12, "the store's receipt");
        await WaitForOnHandAsync(Mug, Store, 10, "the store's receipt");
        var completed = await SubscribeAsync<StockSync.Contracts.Inventory.ReconciliationCompleted>();

        // Three differences the ERP never hears of (its postings are off here): two sales and a found unit.
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await MovementAsync(new { type = "SaleRecorded", sourceSystem = "pos:recon", sourceMessageId = $"{Run}-1", occurredAt = before, sku = Mug, locationId = Store, quantity = 2 });
        await MovementAsync(new { type = "SaleRecorded", sourceSystem = "pos:recon", sourceMessageId = $"{Run}-2", occurredAt = before, sku = Tea, locationId = Dc, quantity = 5 });
        await MovementAsync(new { type = "InventoryAdjusted", sourceSystem = "pos:recon", sourceMessageId = $"{Run}-3", occurredAt = before, sku = Tea, locationId = Store, quantity = 3, reasonCode = "FOUND" });
        await WaitForOnHandAsync(Tea, Store, 15, "the found units");
        await WaitForOnHandAsync(Tea, Dc, 25, "the DC sale");
        await WaitForOnHandAsync(Mug, Store, 8, "the store sale");

        var fetch = await PostAsync("/erp/snapshots/fetch");
        Assert.Equal(HttpStatusCode.Accepted, fetch.StatusCode);
        var snapshotId = (await fetch.Content.ReadFromJsonAsync<JsonObject>())!["snapshotId"]!.GetValue<string>();
        var result = await completed.WaitForAsync(e => e.SnapshotId == snapshotId, "ReconciliationCompleted");
        Log($"ReconciliationCompleted: {result.Mismatches} mismatches over {result.KeysCompared} keys, {result.UnitsOff} units off");
        Assert.Equal((4, 3, 10), (result.KeysCompared, result.Mismatches, result.UnitsOff));
        Assert.Equal(
            [(Tea, Dc, 30, 25, -5), (Tea, Store, 12, 15, 3), (Mug, Store, 10, 8, -2)],
            result.Largest.Select(m => (m.Sku, m.LocationId, m.SnapshotOnHand, m.StockSyncOnHand, m.Delta)));
        var csv = await Http.GetStringAsync($"/erp/reconciliation.csv?snapshotId={snapshotId}");
        Assert.Equal(
            ["sku,location_id,snapshot_on_hand,stocksync_on_hand,delta,pending_postings", $"{Tea},{Dc},30,25,-5,1", $"{Tea},{Store},12,15,3,1", $"{Mug},{Store},10,8,-2,1"],
            csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

        // Each difference has its ERP posting still queued (this host's dispatcher is off): the report says so, and
        // an operator waits for the postings rather than correcting.
        var report = await GetJsonAsync($"/erp/reconciliation?snapshotId={snapshotId}");
        Assert.Equal((3, 10, 3), (Number(report, "mismatches"), Number(report, "unitsOff"), Number(report, "mismatchesWithPendingPostings")));
        Assert.All(report["largest"]!.AsArray(), m => Assert.Equal(1, Number(m!, "pendingPostings")));

        // A sale after the snapshot's instant: the correction, a count as of the snapshot, keeps it.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await MovementAsync(new { type = "SaleRecorded", sourceSystem = "pos:recon", sourceMessageId = $"{Run}-4", occurredAt = DateTimeOffset.UtcNow, sku = Mug, locationId = Store, quantity = 1 });
        await WaitForOnHandAsync(Mug, Store, 7, "the sale after the snapshot");

        var correct = await PostAsync($"/erp/reconciliation/corrections?snapshotId={snapshotId}");
        Assert.Equal(HttpStatusCode.Accepted, correct.StatusCode);
        Assert.Equal(3, Number((await correct.Content.ReadFromJsonAsync<JsonObject>())!, "corrections"));
        await WaitForOnHandAsync(Tea, Dc, 30, "the DC's correction");
        await WaitForOnHandAsync(Tea, Store, 12, "the store's correction");
        await WaitForOnHandAsync(Mug, Store, 9, "the correction, with the later sale kept");
        var after = await GetJsonAsync($"/erp/reconciliation?snapshotId={snapshotId}");
        Assert.Equal(0, Number(after, "mismatches"));
        Log($"ledger of {Mug} at {Store}: {await Http.GetStringAsync($"/inventory/{Mug}/{Store}/ledger")}");

        // Correcting again changes nothing: each correction applies once.
        var again = await PostAsync($"/erp/reconciliation/corrections?snapshotId={snapshotId}");
        Assert.Equal(0, Number((await again.Content.ReadFromJsonAsync<JsonObject>())!, "corrections"));
        await AssertBucketsAsync("in the end", Mug, Store, onHand: 9, reserved: 0, allocated: 0, availableToSell: 9);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    private async Task MovementAsync(object movement)
    {
        using var response = await PostAsync("/movements", movement);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /movements: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task MasterDataAsync(HttpClient erp, params (string ItemNumber, string Sku, string OrderUnit, int Units, string Barcode)[] items)
    {
        await Send(erp, HttpMethod.Put, "sites", new
        {
            sites = new[]
            {
                new { siteCode = "S-DC", locationId = Dc, name = "DC", kind = "DistributionCenter" },
                new { siteCode = "S-ST", locationId = Store, name = "Store", kind = "Store" },
            },
        });
        await Send(erp, HttpMethod.Put, "items", new
        {
            items = items.Select(i => new { itemNumber = i.ItemNumber, sku = i.Sku, description = i.ItemNumber, orderUnit = i.OrderUnit, unitsPerOrderUnit = i.Units, barcodes = new[] { i.Barcode } }).ToArray(),
        });
    }

    private static Task<JsonNode> DocumentAsync(HttpClient erp, string type, string number, string site, string? other, params (int Line, string Item, int Quantity, string Unit)[] lines) =>
        Send(erp, HttpMethod.Post, "documents", new
        {
            documentType = type,
            documentNumber = number,
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            siteCode = site,
            otherSiteCode = other,
            lines = lines.Select(l => new { lineNumber = l.Line, itemNumber = l.Item, quantity = l.Quantity, unit = l.Unit }).ToArray(),
        });

    private static async Task<JsonNode> Send(HttpClient erp, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await erp.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} /erp/{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The files the drop folder reader has taken.</summary>
    private string[] Processed() =>
        Directory.Exists(Path.Combine(_dropFolder, "processed")) ? Directory.GetFiles(Path.Combine(_dropFolder, "processed")) : [];

    private async Task<JsonNode?> MappingAsync(string system, string externalId)
    {
        using var response = await Http.GetAsync($"/mappings/{system}");
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        return list.FirstOrDefault(m => m!["externalId"]!.GetValue<string>() == externalId);
    }

    /// <summary>Waits for an on-hand figure; the SKU itself may not be in the item master yet (it comes from the ERP).</summary>
    private Task WaitForOnHandAsync(string sku, string location, int onHand, string what) =>
        EventuallyAsync(
            async () => (await Http.GetAsync($"/inventory/{sku}")).StatusCode == HttpStatusCode.OK && (await BucketsAsync(sku, location)).OnHand == onHand,
            () => $"{what}: on-hand of {sku} at {location} to reach {onHand}");
}
