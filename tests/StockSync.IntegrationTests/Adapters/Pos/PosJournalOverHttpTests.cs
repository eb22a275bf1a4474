using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using StockSync.Contracts.Inventory;
using StockSync.IntegrationTests.Orders;
using StockSync.Ledger;
using StockSync.Simulators;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Adapters.Pos;

/// <summary>
/// The POS adapter end to end: the real host on RabbitMQ and PostgreSQL, listening over real HTTP, and simulated store
/// tills (the simulators' <c>/pos/stores</c>) that ring up sales and returns, scan pickup handovers, go offline and
/// replay their journal to <c>POST /pos/journals</c> with the faults switched on. Mappings are set through
/// <c>/mappings/pos</c>; positions, ledger rows, the projection check and the store's sequence are read back through
/// the API, and the error queue on the broker.
/// </summary>
public sealed class PosJournalOverHttpTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string StoreNumber = "0042";
    private const string Store = "STORE-POS-42";
    private const string Source = "pos:" + Store;
    private const string Cola = "SKU-POS-COLA";
    private const string Crisps = "SKU-POS-CRISPS";
    private const string ColaEach = "5000000000011";
    private const string ColaSixPack = "5000000000028";
    private const string CrispsEach = "5000000000035";

    /// <summary>What each barcode is: the canonical SKU and the eaches in one scanned unit.</summary>
    private readonly Dictionary<string, (string Sku, int Units)> _barcodes = new(StringComparer.Ordinal)
    {
        [ColaEach] = (Cola, 1),
        [ColaSixPack] = (Cola, 6),
        [CrispsEach] = (Crisps, 1),
    };

    /// <summary>Every entry the test rang up, by the sequence number the till gave it.</summary>
    private readonly Dictionary<long, (string Type, (string Barcode, int Quantity)[] Lines)> _journal = [];
    private int _ledgerMessages;

    protected override bool RealHttp => true;

    [Fact]
    public async Task An_offline_stores_replayed_journal_lands_exactly_once_though_every_batch_comes_twice_and_out_of_order()
    {
        await SetUpStoreAsync();
        await using var tills = await Tills.StartAsync(Host.Address!);

        // Online: the sale goes up at once.
        await ExpectAcceptedAsync(await SellAsync(tills, (ColaEach, 2)));
        await WaitForLedgerAsync();
        await AssertStockAsync("after the live sale", Cola, onHand: 198, quarantine: 0);

        // The store loses its line for a while and keeps selling and taking returns; nothing reaches StockSync.
        await tills.PutAsync($"/pos/stores/{StoreNumber}/offline");
        for (var i = 0; i < 6; i++)
        {
            await SellAsync(tills, (ColaEach, 1 + i % 3));
            await SellAsync(tills, (ColaSixPack, 1), (CrispsEach, 2));
            await SellAsync(tills, (CrispsEach, 1));
            if (i % 2 == 1)
            {
                await ReturnAsync(tills, (ColaEach, 1), (CrispsEach, 1));
            }
        }

        Assert.Equal(22, _journal.Count);
        Assert.Equal(1, Number(await GetJsonAsync($"/pos/stores/{StoreNumber}/sequence"), "lastSequence"));
        await AssertStockAsync("while the store is offline", Cola, onHand: 198, quarantine: 0);

        // Back online, it replays the whole buffer in batches of 5: every batch twice, in a shuffled order.
        await tills.PutAsync($"/pos/stores/{StoreNumber}/faults", new { duplicateDelivery = true, outOfOrder = true, seed = 7 });
        var replay = await tills.PostAsync($"/pos/stores/{StoreNumber}/replay", new { batchSize = 5 });
        var uploads = await ExpectAcceptedAsync(replay);
        Assert.Equal(10, uploads.Count);
        Assert.All(uploads.GroupBy(u => u[0]), batch => Assert.Equal(2, batch.Count()));
        Assert.NotEqual(uploads.Select(u => u[0]).Order(), uploads.Select(u => u[0]));
        Log($"replayed in this order: {string.Join(" | ", uploads.Select(u => $"{u[0]}-{u[^1]}"))}");

        await WaitForLedgerAsync();
        await AssertJournalLandedOnceAsync("after the replay");
        var sequence = await GetJsonAsync($"/pos/stores/{StoreNumber}/sequence");
        Assert.Equal(22, Number(sequence, "lastSequence"));
        Assert.Empty(sequence["openGaps"]!.AsArray());

        // The store uploads its whole journal once more (a support engineer's "send everything again"): nothing changes.
        await tills.DeleteAsync($"/pos/stores/{StoreNumber}/faults");
        await ExpectAcceptedAsync(await tills.PostAsync($"/pos/stores/{StoreNumber}/replay", new { all = true, batchSize = 10 }));
        await WaitForLedgerAsync();
        await AssertJournalLandedOnceAsync("after the whole journal was uploaded again");
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_gap_in_a_stores_sequence_numbers_is_reported_until_the_missing_entries_arrive()
    {
        await SetUpStoreAsync();
        await using var tills = await Tills.StartAsync(Host.Address!);
        var gaps = await SubscribeAsync<SequenceGapDetected>();

        // Entries 2 and 3 are journaled but lost on the way; 4 arrives.
        await ExpectAcceptedAsync(await SellAsync(tills, (ColaEach, 1)));
        await tills.PutAsync($"/pos/stores/{StoreNumber}/faults", new { withholdNext = 2 });
        await SellAsync(tills, (ColaEach, 2));
        await ReturnAsync(tills, (CrispsEach, 1));
        await ExpectAcceptedAsync(await SellAsync(tills, (CrispsEach, 3)));

        var detected = await gaps.WaitForAsync(g => g.SourceSystem == Source, $"for {Source}");
        Assert.Equal((2L, 3L), (detected.FirstMissing, detected.LastMissing));
        var sequence = await GetJsonAsync($"/pos/stores/{StoreNumber}/sequence");
        Log($"sequence with the gap: {Json(sequence)}");
        Assert.Equal((4, 2), (Number(sequence, "lastSequence"), Number(sequence, "missingEntries")));
        var gap = Assert.Single(sequence["openGaps"]!.AsArray())!;
        Assert.Equal((2, 3), (Number(gap, "firstMissing"), Number(gap, "lastMissing")));
        await using (var db = new NpgsqlConnection(Host.Database.ConnectionString))
        {
            await db.OpenAsync();
            var row = Assert.Single(await QueryAsync(db, $"SELECT first_missing, last_missing FROM sequence_gaps WHERE source_system = '{Source}'"));
            Assert.Equal((2L, 3L), ((long)row["first_missing"]!, (long)row["last_missing"]!));
        }

        await WaitForLedgerAsync();
        await AssertStockAsync("with entries 2 and 3 missing", Cola, onHand: 199, quarantine: 0);
        await AssertStockAsync("with entries 2 and 3 missing", Crisps, onHand: 97, quarantine: 0);

        // The store sends its whole journal again: the gap closes, and 1 and 4 are not applied twice.
        await ExpectAcceptedAsync(await tills.PostAsync($"/pos/stores/{StoreNumber}/replay", new { all = true }));
        await WaitForLedgerAsync();
        await EventuallyAsync(
            async () => (await GetJsonAsync($"/pos/stores/{StoreNumber}/sequence"))["openGaps"]!.AsArray().Count == 0,
            () => "the gap to close");
        await AssertJournalLandedOnceAsync("after the missing entries arrived");
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task An_unmapped_barcode_faults_the_batch_to_the_error_queue_with_the_reason_and_changes_no_stock()
    {
        await SetUpStoreAsync();
        await using var tills = await Tills.StartAsync(Host.Address!);
        const string Unknown = "5999999999999";

        // The till sells a known and an unknown barcode in one receipt: StockSync takes the batch (202), then faults it whole.
        await ExpectAcceptedAsync(await SellAsync(tills, (ColaEach, 1), (Unknown, 1)), reachesLedger: false);
        var faulted = await Host.VirtualHost!.GetMessageAsync("pos-journals_error", TimeSpan.FromSeconds(30));
        Assert.NotNull(faulted);
        var reason = faulted.BasicProperties.Headers?.TryGetValue("MT-Fault-Message", out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        Log($"read from pos-journals_error: {reason}");
        Assert.NotNull(reason);
        Assert.Contains($"'{Unknown}' has no mapping", reason, StringComparison.Ordinal);
        Assert.Contains($"PUT /mappings/pos/skus/{Unknown}", reason, StringComparison.Ordinal);
        var raw = JsonNode.Parse(Encoding.UTF8.GetString(faulted.Body.Span))!["message"]!;
        Assert.Equal(StoreNumber, raw["storeNumber"]!.GetValue<string>());
        Assert.Equal(Unknown, raw["entries"]![0]!["lines"]![1]!["barcode"]!.GetValue<string>());

        // Nothing of it applied: no stock moved, no ledger row, no sequence number recorded.
        await AssertStockAsync("after the faulted batch", Cola, onHand: 200, quarantine: 0);
        Assert.DoesNotContain((await LedgerAsync(Cola)), r => r!["sourceSystem"]!.GetValue<string>() == Source);
        Assert.Null((await GetJsonAsync($"/pos/stores/{StoreNumber}/sequence"))["lastSequence"]);

        // Once the barcode is mapped, the store's upload applies.
        await MapAsync("skus", Unknown, Crisps);
        _barcodes.TryAdd(Unknown, (Crisps, 1));
        await ExpectAcceptedAsync(await tills.PostAsync($"/pos/stores/{StoreNumber}/replay", new { all = true }));
        await WaitForLedgerAsync();
        await AssertStockAsync("after mapping the barcode", Cola, onHand: 199, quarantine: 0);
        await AssertStockAsync("after mapping the barcode", Crisps, onHand: 99, quarantine: 0);

        // The intake itself refuses what is not a journal batch, and a store nobody mapped has no sequence.
        var invalid = await ProblemAsync(
            await PostRawAsync("/pos/journals", $$"""{"storeNumber":"{{StoreNumber}}","entries":[{"sequence":0,"type":"Sale","occurredAt":"2026-11-23T09:00:00Z","transactionId":"T-1","lines":[{"barcode":"{{ColaEach}}","quantity":0}]}]}"""),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "invalid entry");
        Assert.NotNull(invalid["errors"]!["entries[0].sequence"]);
        Assert.NotNull(invalid["errors"]!["entries[0].lines[0].quantity"]);
        await ProblemAsync(
            await PostRawAsync("/pos/journals", $$"""{"storeNumber":"{{StoreNumber}}","entries":[{"sequence":1,"type":"Refund","occurredAt":"2026-11-23T09:00:00Z","transactionId":"T-1"}]}"""),
            HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "unknown type");
        await ProblemAsync(await Http.GetAsync("/pos/stores/9999/sequence"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "unmapped store");
        await AssertProjectionConsistentAsync();
    }

    [Fact]
    public async Task A_pickup_handover_scan_collects_a_ready_click_and_collect_order_once()
    {
        await SetUpStoreAsync();
        await using var tills = await Tills.StartAsync(Host.Address!);

        // A click-and-collect order for 2 colas at the store, paid, picked and put ready.
        var orderId = $"CC-{Run}-POS";
        var path = $"/click-and-collect/{orderId}";
        await ViewAsync(await PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Cola, quantity = 2 } } }), "Reserved", "reserve");
        await ViewAsync(await PostAsync($"{path}/payment?wait=10", new { paymentReference = "PAY-POS" }), "Picking", "payment");
        await ViewAsync(await PostAsync($"{path}/picked?wait=10", new { storeId = Store }), "Picked", "picked");
        await ViewAsync(await PostAsync($"{path}/ready?wait=10", new { storeId = Store }), "ReadyForPickup", "ready");
        await AssertBucketsAsync("ready for pickup", Cola, Store, onHand: 200, reserved: 0, allocated: 2, availableToSell: 198);

        // The till sells, scans the handover (uploaded twice: the duplicate fault), and sells again.
        await ExpectAcceptedAsync(await SellAsync(tills, (CrispsEach, 1)));
        await tills.PutAsync($"/pos/stores/{StoreNumber}/faults", new { duplicateDelivery = true });
        var handover = await tills.PostAsync($"/pos/stores/{StoreNumber}/handovers", new { orderId });
        Assert.Equal(2, (await ExpectAcceptedAsync(handover)).Count);
        await tills.DeleteAsync($"/pos/stores/{StoreNumber}/faults");
        await ExpectAcceptedAsync(await SellAsync(tills, (CrispsEach, 1)));

        var collected = await WaitForStateAsync(path, "Collected");
        Assert.NotNull(collected["collectedAt"]);
        await AssertBucketsAsync("collected at the till", Cola, Store, onHand: 198, reserved: 0, allocated: 0, availableToSell: 198);
        Assert.Single((await LedgerAsync(Cola)), r => r!["movementType"]!.GetValue<string>() == "FulfillmentShipped");

        // Both uploads of the handover were processed, and the order was told once; the handover's number is no gap.
        await Host.Received.WaitForAsync("pos-journals", 4);
        await using (var db = new NpgsqlConnection(Host.Database.ConnectionString))
        {
            await db.OpenAsync();
            var told = await QueryAsync(db, $"SELECT message_id FROM outbox_messages WHERE message_type LIKE '%:OrderCollected%' AND body LIKE '%{orderId}%'");
            Assert.Single(told);
        }

        var sequence = await GetJsonAsync($"/pos/stores/{StoreNumber}/sequence");
        Assert.Equal(3, Number(sequence, "lastSequence"));
        Assert.Empty(sequence["openGaps"]!.AsArray());
        await WaitForLedgerAsync();
        await AssertStockAsync("after the sales around the handover", Crisps, onHand: 98, quarantine: 0);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>The catalogue, the till's mappings (a six-pack barcode of 6 colas among them) and opening stock.</summary>
    private async Task SetUpStoreAsync()
    {
        await PutItemAsync(Cola);
        await PutItemAsync(Crisps);
        await PutLocationAsync(Store, new { name = "High street", kind = "Store", latitude = 51.5, longitude = -0.12 });
        await MapAsync("locations", StoreNumber, Store);
        foreach (var (barcode, (sku, units)) in _barcodes)
        {
            await MapAsync("skus", barcode, sku, units);
        }

        await ReceiveAsync((Cola, Store, 200), (Crisps, Store, 100));
        _ledgerMessages = 2;
    }

    private async Task MapAsync(string kind, string externalId, string canonicalId, int units = 1)
    {
        var response = await Http.PutAsJsonAsync($"/mappings/pos/{kind}/{externalId}", kind == "skus" ? new { canonicalId, unitsPerExternal = (int?)units } : new { canonicalId, unitsPerExternal = (int?)null });
        Assert.True(response.IsSuccessStatusCode, $"PUT /mappings/pos/{kind}/{externalId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private Task<JsonObject> SellAsync(Tills tills, params (string Barcode, int Quantity)[] lines) => RingUpAsync(tills, "Sale", "sales", lines);

    private Task<JsonObject> ReturnAsync(Tills tills, params (string Barcode, int Quantity)[] lines) => RingUpAsync(tills, "Return", "returns", lines);

    private async Task<JsonObject> RingUpAsync(Tills tills, string type, string action, (string Barcode, int Quantity)[] lines)
    {
        var report = await tills.PostAsync($"/pos/stores/{StoreNumber}/{action}", new { lines = lines.Select(l => new { barcode = l.Barcode, quantity = l.Quantity }) });
        _journal[report["entry"]!["sequence"]!.GetValue<long>()] = (type, lines);
        return report;
    }

    /// <summary>
    /// Asserts that every upload of a report was accepted (202) and counts the movements they carried toward what the
    /// ledger must have consumed; returns each upload's sequence numbers.
    /// </summary>
    private Task<List<long[]>> ExpectAcceptedAsync(JsonObject report, bool reachesLedger = true)
    {
        var uploads = report["deliveries"]!.AsArray();
        Assert.NotEmpty(uploads);
        var sequences = new List<long[]>();
        foreach (var upload in uploads)
        {
            Assert.True(upload!["accepted"]!.GetValue<bool>(), $"An upload was not accepted: {Json(upload)}");
            var numbers = upload["sequences"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            _ledgerMessages += reachesLedger ? numbers.Sum(n => _journal.TryGetValue(n, out var entry) ? entry.Lines.Length : 0) : 0;
            sequences.Add(numbers);
        }

        return Task.FromResult(sequences);
    }

    /// <summary>Waits until the ledger has consumed every movement the accepted uploads carried (duplicates included).</summary>
    private Task WaitForLedgerAsync() => Host.Received.WaitForAsync(LedgerOptions.EndpointName, _ledgerMessages, Patience);

    /// <summary>
    /// Asserts that each journal line is one ledger row (source <c>pos:{store}</c>, message id <c>{store}:{sequence}:{line}</c>,
    /// the entry's sequence) and that the positions are the opening stock less sales, plus returns (in quarantine).
    /// </summary>
    private async Task AssertJournalLandedOnceAsync(string step)
    {
        foreach (var sku in new[] { Cola, Crisps })
        {
            var expectedRows = _journal
                .SelectMany(e => e.Value.Lines.Select((l, i) => (Sequence: e.Key, e.Value.Type, Line: i + 1, l.Barcode, l.Quantity)))
                .Where(l => _barcodes[l.Barcode].Sku == sku)
                .Select(l => ($"{StoreNumber}:{l.Sequence}:{l.Line}", l.Sequence, l.Type == "Sale" ? "SaleRecorded" : "ReturnReceived", _barcodes[l.Barcode].Units * l.Quantity))
                .OrderBy(r => r.Item1, StringComparer.Ordinal)
                .ToList();
            var rows = (await LedgerAsync(sku))
                .Where(r => r!["sourceSystem"]!.GetValue<string>() == Source)
                .Select(r => (
                    r!["sourceMessageId"]!.GetValue<string>(),
                    r["sourceSequence"]!.GetValue<long>(),
                    r["movementType"]!.GetValue<string>(),
                    Math.Abs(r["delta"]!["onHand"]!.GetValue<int>())))
                .OrderBy(r => r.Item1, StringComparer.Ordinal)
                .ToList();
            Assert.Equal(expectedRows, rows);

            var sold = expectedRows.Where(r => r.Item3 == "SaleRecorded").Sum(r => r.Item4);
            var returned = expectedRows.Where(r => r.Item3 == "ReturnReceived").Sum(r => r.Item4);
            var opening = sku == Cola ? 200 : 100;
            await AssertStockAsync(step, sku, onHand: opening - sold + returned, quarantine: returned);
        }
    }

    private async Task AssertStockAsync(string step, string sku, int onHand, int quarantine)
    {
        var location = (await GetJsonAsync($"/inventory/{sku}"))["locations"]!.AsArray().Single(l => l!["locationId"]!.GetValue<string>() == Store)!;
        var actual = (Number(location, "onHand"), Number(location, "quarantine"), Number(location, "availableToSell"));
        Log($"{step}: {sku}@{Store}: onHand {actual.Item1}, quarantine {actual.Item2}, availableToSell {actual.Item3}");
        Assert.True((onHand, quarantine, onHand - quarantine) == actual, $"{step}: {sku} should be onHand {onHand}, quarantine {quarantine}, but is {actual}.");
    }

    private async Task<JsonArray> LedgerAsync(string sku) => (await Http.GetFromJsonAsync<JsonArray>($"/inventory/{sku}/{Store}/ledger?limit=1000"))!;

    /// <summary>The simulated tills, hosted in-process on a free port, uploading to the host under test over HTTP.</summary>
    private sealed class Tills : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _http;

        private Tills(WebApplication app, Uri address)
        {
            _app = app;
            _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        }

        public static async Task<Tills> StartAsync(Uri stockSync)
        {
            var (app, address) = await SimulatorApp.StartAsync(0, new Dictionary<string, string>
            {
                ["Pos:StockSyncUrl"] = stockSync.ToString(),
                ["Logging:LogLevel:Default"] = "Warning",
            });
            return new Tills(app, address);
        }

        public async Task<JsonObject> PostAsync(string path, object body) => await ReadAsync(await _http.PostAsJsonAsync(path, body), $"POST {path}");

        public async Task<JsonObject> PutAsync(string path, object? body = null) =>
            await ReadAsync(body is null ? await _http.PutAsync(path, null) : await _http.PutAsJsonAsync(path, body), $"PUT {path}");

        public async Task DeleteAsync(string path) => Assert.True((await _http.DeleteAsync(path)).IsSuccessStatusCode, $"DELETE {path}");

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.DisposeAsync();
        }

        private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, string what)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{what} (simulator): {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text)!.AsObject();
        }
    }
}
