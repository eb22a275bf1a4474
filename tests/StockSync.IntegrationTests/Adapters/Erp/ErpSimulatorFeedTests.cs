using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using StockSync.Simulators;

namespace StockSync.IntegrationTests.Adapters.Erp;

/// <summary>
/// The ERP simulator's inbound side over real HTTP, hosted in-process: item and site master versioning, the documents
/// feed (paging by cursor, malformed documents, the duplicate and shuffle faults, an outage), the stock book moved by
/// documents in order units and by postings with canonical ids, and the CSV file dropper.
/// </summary>
public sealed class ErpSimulatorFeedTests : IAsyncLifetime, IDisposable
{
    private WebApplication _simulator = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        (_simulator, var address) = await SimulatorApp.StartAsync(0);
        _http = new HttpClient { BaseAddress = address };
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    public void Dispose() => _http?.Dispose();

    [Fact]
    public async Task Items_and_sites_share_one_version_counter_and_are_read_after_a_version()
    {
        var put = await PutItemsAsync(Item("100234", "SKU-1", "CS", 12), Item("100235", "SKU-2", "EA", 1));
        Assert.Equal([1L, 2L], put["items"]!.AsArray().Select(i => Number(i, "version")));

        var all = await GetAsync("/erp/items");
        Assert.Equal(["100234", "100235"], all["items"]!.AsArray().Select(i => Text(i, "itemNumber")));
        Assert.Equal(2, Number(all, "version"));
        Assert.Equal("SKU-1", Text(all["items"]![0], "sku"));
        Assert.Equal(12, Number(all["items"]![0], "unitsPerOrderUnit"));
        Assert.Equal("4006381333931", all["items"]![0]!["barcodes"]![0]!.GetValue<string>());

        await PutSitesAsync(Site("S001", "STORE-001", "Store"), Site("D001", "DC-001", "DistributionCenter"));
        var sites = await GetAsync("/erp/sites?after=0");
        Assert.Equal(["S001", "D001"], sites["sites"]!.AsArray().Select(s => Text(s, "siteCode")));
        Assert.Equal([3L, 4L], sites["sites"]!.AsArray().Select(s => Number(s, "version")));
        Assert.Equal("DC-001", Text(sites["sites"]![1], "locationId"));
        Assert.Equal(4, Number(sites, "version"));

        var none = await GetAsync("/erp/items?after=2");
        Assert.Empty(none["items"]!.AsArray());
        Assert.Equal(4, Number(none, "version")); // the highest version in the ERP, sites included

        // A changed item gets a new version; an item sent again unchanged keeps its version.
        await PutItemsAsync(Item("100235", "SKU-2", "EA", 1), Item("100234", "SKU-1", "PK", 6));
        var changed = await GetAsync("/erp/items?after=2");
        var item = Assert.Single(changed["items"]!.AsArray());
        Assert.Equal("100234", Text(item, "itemNumber"));
        Assert.Equal("PK", Text(item, "orderUnit"));
        Assert.Equal(5, Number(item, "version"));
        Assert.Equal(5, Number(changed, "version"));
        Assert.Equal(2, Number((await GetAsync("/erp/items"))["items"]![0], "version"));
    }

    [Theory]
    [InlineData("", "SKU-1", "EA", 1, "items[0].itemNumber")]
    [InlineData("100234", " ", "EA", 1, "items[0].sku")]
    [InlineData("100234", "SKU-1", "EA", 12, "items[0].unitsPerOrderUnit")]
    [InlineData("100234", "SKU-1", "CS", 0, "items[0].unitsPerOrderUnit")]
    public async Task An_invalid_item_is_refused_with_400_naming_the_field_and_nothing_is_stored(string itemNumber, string sku, string unit, int units, string field)
    {
        var response = await _http.PutAsJsonAsync("/erp/items", new { items = new[] { Item(itemNumber, sku, unit, units) } });
        await AssertProblemAsync(response, field);
        Assert.Empty((await GetAsync("/erp/items"))["items"]!.AsArray());

        var site = await _http.PutAsJsonAsync("/erp/sites", new { sites = new[] { Site("S001", "STORE-001", "Warehouse") } });
        await AssertProblemAsync(site, "sites[0].kind");
    }

    [Fact]
    public async Task The_documents_feed_pages_by_cursor_and_limit()
    {
        var cursors = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            // Unknown items and sites are accepted: the ERP is the master.
            var document = await PostDocumentAsync(Receipt($"PO-{i}", "S-UNKNOWN", ("999999", i, "EA")));
            Assert.Equal($"PO-{i}", Text(document, "documentNumber"));
            Assert.Equal("S-UNKNOWN", Text(document, "siteCode"));
            cursors.Add(Number(document, "cursor"));
        }

        Assert.Equal(cursors.Order(), cursors);
        Assert.Equal(5, cursors.Distinct().Count());

        var after = 0L;
        var read = new List<long>();
        var pages = 0;
        while (true)
        {
            var page = await GetAsync($"/erp/documents?after={after}&limit=2");
            var documents = page["documents"]!.AsArray();
            if (documents.Count == 0)
            {
                Assert.Equal(after, Number(page, "last"));
                break;
            }

            pages++;
            Assert.True(documents.Count <= 2);
            Assert.Equal(Number(documents[^1], "cursor"), Number(page, "last"));
            read.AddRange(documents.Select(d => Number(d, "cursor")));
            after = Number(page, "last");
        }

        Assert.Equal(3, pages);
        Assert.Equal(cursors, read);

        var rest = await GetAsync($"/erp/documents?after={cursors[1]}");
        Assert.Equal(cursors.Skip(2), rest["documents"]!.AsArray().Select(d => Number(d, "cursor")));
        var line = rest["documents"]![0]!["lines"]![0]!;
        Assert.Equal(3, Number(line, "quantity"));
        Assert.Equal("EA", Text(line, "unit"));
    }

    [Fact]
    public async Task A_malformed_document_is_refused_with_400_naming_the_field()
    {
        await PutItemsAsync(Item("100234", "SKU-1", "CS", 12));
        await AssertProblemAsync(await PostRawDocumentAsync(Receipt("PO-1", "S001", ("100234", 0, "CS"))), "lines[0].quantity");
        await AssertProblemAsync(await PostRawDocumentAsync(Receipt("PO-1", "S001", ("100234", 1, "PK"))), "lines[0].unit");
        await AssertProblemAsync(await PostRawDocumentAsync(Receipt("PO-1", "S001", ("100234", 1, "CS")) with { DocumentType = "Invoice" }), "documentType");
        await AssertProblemAsync(await PostRawDocumentAsync(Receipt("PO-1", "S001", ("100234", 1, "CS")) with { DocumentType = "TransferShipment" }), "otherSiteCode");
        await AssertProblemAsync(await PostRawDocumentAsync(Receipt(" ", "S001", ("100234", 1, "CS"))), "documentNumber");
        await AssertProblemAsync(await PostRawDocumentAsync(Receipt("PO-1", "S001")), "lines");
        await AssertProblemAsync(
            await _http.PostAsync("/erp/documents", new StringContent("""{"documentType":"PurchaseReceipt","documentNumber":"PO-1","occurredAt":"2026-11-23T08:00:00Z","siteCode":"S001","lines":[{"lineNumber":1,"itemNumber":"100234","quantity":"two","unit":"CS"}]}""", System.Text.Encoding.UTF8, "application/json")),
            "lines[0].quantity");

        Assert.Empty((await GetAsync("/erp/documents"))["documents"]!.AsArray());
        Assert.Empty((await GetAsync("/erp/book"))["lines"]!.AsArray());
    }

    [Fact]
    public async Task The_book_counts_receipts_in_eaches_transfers_and_each_new_posting_once()
    {
        await PutItemsAsync(Item("100234", "SKU-1", "CS", 12), Item("100235", "SKU-2", "EA", 1));
        await PutSitesAsync(Site("S001", "STORE-001", "Store"), Site("S002", "STORE-002", "Store"));

        await PostDocumentAsync(Receipt("PO-4711", "S001", ("100234", 2, "CS"), ("100235", 5, "EA")));
        Assert.Equal(24, await OnHandAsync("S001", "100234"));
        Assert.Equal(5, await OnHandAsync("S001", "100235"));

        await PostDocumentAsync(Receipt("TS-1", "S001", ("100234", 1, "CS")) with { DocumentType = "TransferShipment", OtherSiteCode = "S002" });
        await PostDocumentAsync(Receipt("TR-1", "S002", ("100234", 1, "CS"), ("100234", 3, "EA")) with { DocumentType = "TransferReceipt", OtherSiteCode = "S001" });
        Assert.Equal(12, await OnHandAsync("S001", "100234"));
        Assert.Equal(15, await OnHandAsync("S002", "100234"));

        // Postings carry canonical ids (STORE-001, SKU-1), booked under the ERP's (S001, 100234).
        await PostPostingsAsync(Posting("sale:1", "Sale", "STORE-001", "SKU-1", 2));
        Assert.Equal(10, await OnHandAsync("S001", "100234"));
        await PostPostingsAsync(Posting("sale:1", "Sale", "STORE-001", "SKU-1", 2), Posting("adj:damaged", "Adjustment", "STORE-001", "SKU-1", -1, "Damaged"));
        Assert.Equal(10, await OnHandAsync("S001", "100234")); // a repeat counts once, a damaged-bucket adjustment stays on hand
        await PostPostingsAsync(
            Posting("adj:shrink", "Adjustment", "STORE-001", "SKU-1", -1, "OnHand"),
            Posting("return:1", "Return", "STORE-001", "SKU-1", 3),
            Posting("inspect:1", "ReturnInspection", "STORE-001", "SKU-1", 3),
            Posting("ship:1", "Shipment", "STORE-002", "SKU-2", 1),
            Posting("sale:unknown", "Sale", "STORE-X", "SKU-X", 4));
        Assert.Equal(12, await OnHandAsync("S001", "100234"));
        Assert.Equal(-1, await OnHandAsync("S002", "100235"));
        Assert.Equal(-4, await OnHandAsync("STORE-X", "SKU-X")); // unmapped: under the canonical ids as given

        // A refused posting changes nothing.
        await PutFaultsAsync(new { refusePostingIds = new[] { "sale:refused" } });
        await PostPostingsAsync(Posting("sale:refused", "Sale", "STORE-001", "SKU-1", 5));
        Assert.Equal(12, await OnHandAsync("S001", "100234"));
        await PutFaultsAsync(new { });

        var book = (await GetAsync("/erp/book"))["lines"]!.AsArray();
        Assert.Equal(
            ["S001/100234", "S001/100235", "S002/100234", "S002/100235", "STORE-X/SKU-X"],
            book.Select(l => $"{Text(l, "siteCode")}/{Text(l, "itemNumber")}"));
        var snapshot = await GetAsync("/erp/snapshot");
        Assert.StartsWith("SNAP-", Text(snapshot, "snapshotId"), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - snapshot["takenAt"]!.GetValue<DateTimeOffset>() < TimeSpan.FromMinutes(1));
        Assert.Equal(book.ToJsonString(), snapshot["lines"]!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync("/erp/data")).StatusCode);
        Assert.Empty((await GetAsync("/erp/book"))["lines"]!.AsArray());
        Assert.Empty((await GetAsync("/erp/documents"))["documents"]!.AsArray());
        Assert.Empty((await GetAsync("/erp/items"))["items"]!.AsArray());
        Assert.Equal(2, (await GetAsync("/erp/postings")).AsArray().Count(p => Text(p, "postingId").StartsWith("sale:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_outage_fails_the_reads_with_503_while_the_ERP_still_takes_documents()
    {
        await PutFaultsAsync(new { outage = true });
        foreach (var read in new[] { "/erp/documents", "/erp/items", "/erp/sites", "/erp/snapshot" })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync(read)).StatusCode);
        }

        var document = await PostDocumentAsync(Receipt("PO-1", "S001", ("100234", 2, "EA")));
        Assert.Equal(2, await OnHandAsync("S001", "100234")); // the book is a control call: no fault

        await PutFaultsAsync(new { throttleNext = 1, retryAfterSeconds = 7 });
        var throttled = await _http.GetAsync("/erp/documents");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), throttled.Headers.RetryAfter?.Delta);

        var page = await GetAsync("/erp/documents");
        Assert.Equal(Number(document, "cursor"), Number(Assert.Single(page["documents"]!.AsArray()), "cursor"));
    }

    [Fact]
    public async Task Duplicate_and_shuffle_faults_serve_each_document_twice_and_out_of_order()
    {
        var cursors = new List<long>();
        for (var i = 1; i <= 10; i++)
        {
            cursors.Add(Number(await PostDocumentAsync(Receipt($"PO-{i}", "S001", ("100234", 1, "EA"))), "cursor"));
        }

        await PutFaultsAsync(new { duplicateDocuments = true });
        var page = await GetAsync($"/erp/documents?after={cursors[0]}&limit=3");
        Assert.Equal(cursors.Skip(1).Take(3).SelectMany(c => new[] { c, c }), page["documents"]!.AsArray().Select(d => Number(d, "cursor")));
        Assert.Equal(cursors[3], Number(page, "last"));
        var pairs = page["documents"]!.AsArray().Chunk(2).ToList();
        Assert.All(pairs, p => Assert.Equal(p[0]!.ToJsonString(), p[1]!.ToJsonString()));

        await PutFaultsAsync(new { shuffleDocuments = true, seed = 42 });
        var shuffled = await GetAsync("/erp/documents");
        var served = shuffled["documents"]!.AsArray().Select(d => Number(d, "cursor")).ToList();
        Assert.Equal(cursors, served.Order());
        Assert.NotEqual(cursors, served);
        Assert.Equal(cursors[^1], Number(shuffled, "last"));
    }

    [Fact]
    public async Task The_export_drops_four_csv_files_atomically_with_the_exact_headers_and_rows()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"erp-export-{Guid.NewGuid():N}", "drop");
        try
        {
            await PutItemsAsync(Item("100234", "SKU-1", "CS", 12) with { Description = "Mug, \"large\"" }, Item("100235", "SKU-2", "EA", 1));
            await PutSitesAsync(Site("S001", "STORE-001", "Store"), Site("S002", "STORE-002", "Store"), Site("D001", "DC-001", "DistributionCenter"));
            var first = await PostDocumentAsync(Receipt("PO-1", "S001", ("100234", 2, "CS"), ("100235", 4, "EA")));
            await PostDocumentAsync(Receipt("TS-1", "S001", ("100234", 1, "CS")) with { DocumentType = "TransferShipment", OtherSiteCode = "S002" });
            await PostDocumentAsync(Receipt("TR-1", "S002", ("100234", 1, "CS")) with { DocumentType = "TransferReceipt", OtherSiteCode = "S001" });

            var response = await _http.PostAsJsonAsync("/erp/exports", new { folder, kinds = new[] { "items", "sites", "documents", "snapshot" }, documentsAfter = Number(first, "cursor") });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var files = (await response.Content.ReadFromJsonAsync<JsonObject>())!["files"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
            Assert.Equal(4, files.Count);
            Assert.Equal(files.Order(StringComparer.Ordinal), Directory.GetFiles(folder).Order(StringComparer.Ordinal));
            Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
            Assert.All(files.Zip(new[] { "items", "sites", "documents", "snapshot" }), f => Assert.Matches(FileName(f.Second), Path.GetFileName(f.First)));

            var items = await File.ReadAllLinesAsync(files[0]);
            Assert.Equal("item_number,sku,description,order_unit,units_per_order_unit,barcodes", items[0]);
            Assert.Equal(3, items.Length);
            Assert.Equal("100234,SKU-1,\"Mug, \"\"large\"\"\",CS,12,4006381333931", items[1]);

            var sites = await File.ReadAllLinesAsync(files[1]);
            Assert.Equal("site_code,location_id,name,kind", sites[0]);
            Assert.Equal(4, sites.Length);
            Assert.Equal("D001,DC-001,Site D001,DistributionCenter", sites[3]);

            var documents = await File.ReadAllLinesAsync(files[2]);
            Assert.Equal("document_type,document_number,occurred_at,site_code,other_site_code,line_number,item_number,quantity,unit", documents[0]);
            Assert.Equal(3, documents.Length); // after the first document: one line each for the two transfers
            Assert.Equal("TransferShipment,TS-1,2026-11-23T08:00:00.0000000+00:00,S001,S002,1,100234,1,CS", documents[1]);

            var snapshot = await File.ReadAllLinesAsync(files[3]);
            Assert.Equal("snapshot_id,taken_at,site_code,item_number,on_hand", snapshot[0]);
            var book = (await GetAsync("/erp/book"))["lines"]!.AsArray();
            Assert.Equal(book.Count + 1, snapshot.Length);
            Assert.Equal(book.Select(l => $"{Text(l, "siteCode")},{Text(l, "itemNumber")},{Number(l, "onHand")}"), snapshot.Skip(1).Select(r => string.Join(',', r.Split(',').Skip(2))));
            Assert.EndsWith(",S001,100234,12", snapshot[1], StringComparison.Ordinal);

            // A second export at once gets different names; a bad request is a 400.
            var again = await _http.PostAsJsonAsync("/erp/exports", new { folder, kinds = new[] { "items" } });
            var second = (await again.Content.ReadFromJsonAsync<JsonObject>())!["files"]![0]!.GetValue<string>();
            Assert.DoesNotContain(second, files);
            Assert.Equal(5, Directory.GetFiles(folder).Length);
            await AssertProblemAsync(await _http.PostAsJsonAsync("/erp/exports", new { folder, kinds = new[] { "stock" } }), "kinds[0]");
            await AssertProblemAsync(await _http.PostAsJsonAsync("/erp/exports", new { folder = "relative/path", kinds = new[] { "items" } }), "folder");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    private static Regex FileName(string kind) => new($"^{kind}_\\d{{17}}_\\d+\\.csv$");

    private static ItemBody Item(string itemNumber, string sku, string orderUnit, int units) =>
        new(itemNumber, sku, $"Item {itemNumber}", orderUnit, units, itemNumber == "100234" ? ["4006381333931"] : []);

    private static SiteBody Site(string siteCode, string locationId, string kind) => new(siteCode, locationId, $"Site {siteCode}", kind);

    private static DocumentBody Receipt(string number, string siteCode, params (string Item, int Quantity, string Unit)[] lines) =>
        new("PurchaseReceipt", number, DateTimeOffset.Parse("2026-11-23T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), siteCode, null,
            [.. lines.Select((l, i) => new LineBody(i + 1, l.Item, l.Quantity, l.Unit))]);

    private static object Posting(string id, string kind, string locationId, string sku, int quantity, string? bucket = null) =>
        new { postingId = id, sequence = 1, kind, occurredAt = DateTimeOffset.UtcNow, locationId, lines = new[] { new { sku, quantity, bucket } } };

    private async Task<JsonObject> PutItemsAsync(params ItemBody[] items)
    {
        var response = await _http.PutAsJsonAsync("/erp/items", new { items });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task PutSitesAsync(params SiteBody[] sites) =>
        Assert.Equal(HttpStatusCode.OK, (await _http.PutAsJsonAsync("/erp/sites", new { sites })).StatusCode);

    private Task<HttpResponseMessage> PostRawDocumentAsync(DocumentBody document) => _http.PostAsJsonAsync("/erp/documents", document);

    private async Task<JsonObject> PostDocumentAsync(DocumentBody document)
    {
        var response = await PostRawDocumentAsync(document);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task PostPostingsAsync(params object[] postings)
    {
        var response = await _http.PostAsJsonAsync("/erp/postings", new { postings });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task PutFaultsAsync(object faults) =>
        Assert.Equal(HttpStatusCode.OK, (await _http.PutAsJsonAsync("/erp/faults", faults)).StatusCode);

    private async Task<JsonNode> GetAsync(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private async Task<long> OnHandAsync(string siteCode, string itemNumber)
    {
        var line = (await GetAsync("/erp/book"))["lines"]!.AsArray().SingleOrDefault(l => Text(l, "siteCode") == siteCode && Text(l, "itemNumber") == itemNumber);
        Assert.True(line is not null, $"No book line for {siteCode}/{itemNumber}.");
        return Number(line, "onHand");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(field, Text(problem, "field"));
        Assert.Contains(field.Split('.')[^1].Split('[')[0], Text(problem, "detail"), StringComparison.Ordinal);
    }

    private static string Text(JsonNode? node, string name) => node![name]!.GetValue<string>();

    private static long Number(JsonNode? node, string name) => node![name]!.GetValue<long>();

    private sealed record ItemBody(string ItemNumber, string Sku, string? Description, string OrderUnit, int UnitsPerOrderUnit, IReadOnlyList<string> Barcodes);

    private sealed record SiteBody(string SiteCode, string LocationId, string Name, string Kind);

    private sealed record LineBody(int LineNumber, string ItemNumber, int Quantity, string Unit);

    private sealed record DocumentBody(string DocumentType, string DocumentNumber, DateTimeOffset OccurredAt, string SiteCode, string? OtherSiteCode, IReadOnlyList<LineBody> Lines);
}
