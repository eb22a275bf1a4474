using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using StockSync.Simulators;

namespace StockSync.Demo;

/// <summary>
/// The scripted store day: the simulators in this process, the real host as a child process, the ERP's master data
/// and opening stock, the mappings the other systems need, then the day itself (till sales at both stores, a
/// click-and-collect order, a split shipped order, a customer return, a marketplace order, and an ERP outage in the
/// middle), and finally the measurements and the ERP reconciliation that make up the <see cref="DemoReport"/>.
/// Each step is logged with the time since the start. Disposing stops the host and the simulators.
/// </summary>
internal sealed class StoreDay(DemoOptions options, TextWriter output) : IAsyncDisposable
{
    private const string ClickAndCollectOrder = "CC-DEMO-1";
    private const string SplitOrder = "SO-DEMO-1";
    private const string ReturnId = "RT-DEMO-1";
    private const string MarketplaceOrder = "PO-DEMO-1";
    private static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(90);

    private readonly Stopwatch _clock = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentQueue<SaleRecord> _sales = new();
    private readonly string _stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
    private readonly string _webhookSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    private WebApplication? _simulators;
    private DemoHost? _host;
    private string _sim = "";
    private string? _vhost;
    private Uri? _management;
    private AuthenticationHeaderValue? _managementAuth;
    private int _disposed;
    private volatile bool _salesDone;

    /// <summary>The report, filled in as the day goes.</summary>
    public DemoReport Report { get; } = new();

    /// <summary>The run's temp dir (SQLite file, host log).</summary>
    public string TempDirectory { get; } = Path.Combine(Path.GetTempPath(), $"stocksync-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");

    private HttpClient Host => _host?.Client ?? throw new InvalidOperationException("The host is not running.");

    /// <summary>Runs the whole day and returns the report (failures are in it, not thrown; cancellation is).</summary>
    public async Task<DemoReport> RunAsync(CancellationToken ct)
    {
        _clock.Start();
        Report.StartedAt = DateTimeOffset.UtcNow;
        Report.Transport = options.Transport.ToString();
        Report.OutageSeconds = options.OutageSeconds;
        Report.StorefrontPushRate = options.PushRate;
        Report.TempDirectory = TempDirectory;
        Directory.CreateDirectory(TempDirectory);
        try
        {
            var hostAddress = new Uri($"http://127.0.0.1:{DemoHost.FreePort()}");
            await StepAsync("simulators", () => StartSimulatorsAsync(hostAddress, ct));
            await StepAsync("host", () => StartHostAsync(hostAddress, ct));
            await StepAsync("ERP master data", () => LoadMasterDataAsync(ct));
            await StepAsync("mappings", () => MapOtherSystemsAsync(ct));
            await RunTheDayAsync(ct);
            await StepAsync("settled", () => WaitUntilSettledAsync(ct));
            await StepAsync("measured", () => MeasureAsync(ct));
            await StepAsync("reconciliation", () => ReconcileAsync(ct));
        }
        catch (DemoException)
        {
            // Recorded by its step; the day stops there.
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Fail("Cancelled.");
        }
        finally
        {
            Report.RunSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 1);
        }

        return Report;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_simulators is not null)
        {
            try
            {
                await _simulators.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // Open connections of the killed host; the process ends anyway.
            }

            await _simulators.DisposeAsync();
        }

        await DeleteVirtualHostAsync();
        _http.Dispose();
        if (!options.Keep && Report.Ok)
        {
            try
            {
                Directory.Delete(TempDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open; the temp dir is left behind.
            }
        }
    }

    /// <summary>The simulators on a free loopback port, their outbound calls (tills, webhooks, OMS) aimed at the host.</summary>
    private async Task<string> StartSimulatorsAsync(Uri hostAddress, CancellationToken ct)
    {
        var host = hostAddress.ToString().TrimEnd('/');
        var (app, address) = await SimulatorApp.StartAsync(0, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Pos:StockSyncUrl"] = host,
            ["Storefront:WebhookSecret"] = _webhookSecret,
            ["Storefront:WebhookTarget"] = $"{host}/webhooks/shopify",
            ["Storefront:RequestsPerSecond"] = options.PushRate.ToString(CultureInfo.InvariantCulture),
            ["Storefront:Burst"] = "2",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });
        _simulators = app;
        _sim = address.ToString().TrimEnd('/');
        Report.SimulatorsAddress = _sim;
        await _http.SendJsonAsync(HttpMethod.Put, $"{_sim}/oms/settings", new { stockSyncUrl = host, autoConfirm = true, confirmDelayMs = 300 }, ct);
        return $"on {_sim} (tills, storefront webhooks and OMS confirmations go to {host})";
    }

    /// <summary>The host as a child process on a fresh SQLite file, with every adapter aimed at the simulators.</summary>
    private async Task<string> StartHostAsync(Uri address, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Security__Mode"] = "Development",
            ["Database__Provider"] = "Sqlite",
            ["Database__ConnectionString"] = $"Data Source={Path.Combine(TempDirectory, "stocksync.db")}",
            ["Erp__Inbound__Url"] = $"{_sim}/erp",
            ["Erp__Inbound__PollInterval"] = "00:00:01",
            ["Erp__Postings__Url"] = $"{_sim}/erp/postings",
            ["Erp__Postings__RetryBaseDelay"] = "00:00:01",
            ["Erp__Postings__MaxRetryDelay"] = "00:00:02",
            ["Erp__Postings__PollInterval"] = "00:00:00.200",
            ["Ecommerce__Enabled"] = "true",
            ["Ecommerce__WebhookSecret"] = _webhookSecret,
            ["Ecommerce__DefaultLocationId"] = DemoCatalog.Dc,
            ["Ecommerce__Storefront__BaseUrl"] = $"{_sim}/storefront",
            ["Ecommerce__Push__RequestsPerSecond"] = options.PushRate.ToString(CultureInfo.InvariantCulture),
            ["Marketplaces__Endpoints__walmart__BaseUrl"] = $"{_sim}/marketplaces/walmart",
            ["Marketplaces__Endpoints__walmart__PollInterval"] = "00:00:01",
            ["Marketplaces__Endpoints__amazon-vendor__BaseUrl"] = $"{_sim}/marketplaces/amazon-vendor",
            ["Oms__Enabled"] = "true",
            ["Oms__BaseUrl"] = $"{_sim}/oms",
        };
        foreach (var (key, value) in await TransportSettingsAsync(ct))
        {
            settings[key] = value;
        }

        var log = Path.Combine(TempDirectory, "host.log");
        Report.HostLog = log;
        _host = await DemoHost.StartAsync(address, settings, log, ct);
        Report.HostAddress = _host.Address.ToString().TrimEnd('/');
        return $"ready on {Report.HostAddress} ({options.Transport}{(_vhost is null ? "" : $", vhost {_vhost}")}, SQLite in {TempDirectory})";
    }

    /// <summary>
    /// The ERP's site and item master and its opening stock (a purchase receipt per site, in order units), which the
    /// host polls and maps; done when every position shows its stock.
    /// </summary>
    private async Task<string> LoadMasterDataAsync(CancellationToken ct)
    {
        await _http.SendJsonAsync(HttpMethod.Put, $"{_sim}/erp/sites", new
        {
            sites = DemoCatalog.Sites.Select(s => new { siteCode = s.SiteCode, locationId = s.LocationId, name = s.Name, kind = s.Kind }),
        }, ct);
        await _http.SendJsonAsync(HttpMethod.Put, $"{_sim}/erp/items", new
        {
            items = DemoCatalog.Items.Select(i => new
            {
                itemNumber = i.ItemNumber, sku = i.Sku, description = i.Description, orderUnit = i.OrderUnit, unitsPerOrderUnit = i.UnitsPerOrderUnit,
                barcodes = new[] { i.Barcode },
            }),
        }, ct);
        foreach (var site in DemoCatalog.Sites)
        {
            var lines = DemoCatalog.Items.Where(i => i.OpeningStock.GetValueOrDefault(site.LocationId) > 0).ToList();
            await _http.SendJsonAsync(HttpMethod.Post, $"{_sim}/erp/documents", new
            {
                documentType = "PurchaseReceipt",
                documentNumber = $"GRN-{site.SiteCode}-0001",
                occurredAt = DateTimeOffset.UtcNow,
                siteCode = site.SiteCode,
                lines = lines.Select((item, index) => new { lineNumber = index + 1, itemNumber = item.ItemNumber, quantity = item.OpeningStock[site.LocationId], unit = item.OrderUnit }),
            }, ct);
        }

        Log($"ERP: {DemoCatalog.Sites.Count} sites, {DemoCatalog.Items.Count} items, {DemoCatalog.Sites.Count} purchase receipts; waiting for the host's ERP poller");
        var expected = DemoCatalog.Items.SelectMany(i => DemoCatalog.Sites.Select(s => (i.Sku, s.LocationId, OnHand: i.OpeningEaches(s.LocationId)))).Where(k => k.OnHand > 0).ToList();
        await DemoHttp.WaitUntilAsync("the opening stock at every position (GET /inventory/{sku})", async () =>
        {
            foreach (var sku in expected.Select(e => e.Sku).Distinct())
            {
                var (status, body) = await Host.TrySendJsonAsync(HttpMethod.Get, $"/inventory/{sku}", null, ct);
                var onHand = status == 200 ? body?["locations"].Items().ToDictionary(l => l.Text("locationId") ?? "", l => l.Number("onHand") ?? 0, StringComparer.Ordinal) : null;
                if (onHand is null || expected.Where(e => e.Sku == sku).Any(e => onHand.GetValueOrDefault(e.LocationId) != e.OnHand))
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), ct, intervalMs: 300);
        return $"{expected.Count} positions, {expected.Sum(e => e.OnHand)} units (SKU-1003 received in cases of 12)";
    }

    /// <summary>
    /// What the ERP master does not carry: the tills' store numbers, the storefront's variant and location ids, the
    /// marketplace's SKUs; and the locations' coordinates and roles for click-and-collect and ship-from-store.
    /// </summary>
    private async Task<string> MapOtherSystemsAsync(CancellationToken ct)
    {
        foreach (var site in DemoCatalog.Sites)
        {
            await Host.SendJsonAsync(HttpMethod.Put, $"/catalog/locations/{site.LocationId}", new
            {
                name = site.Name, kind = site.Kind, latitude = site.Latitude, longitude = site.Longitude,
                shipsToCustomers = site.ShipsToCustomers, offersPickup = site.Kind == "Store",
            }, ct);
            if (site.StoreNumber is { } store)
            {
                await Host.SendJsonAsync(HttpMethod.Put, $"/mappings/pos/locations/{store}", new { canonicalId = site.LocationId }, ct);
            }

            await Host.SendJsonAsync(HttpMethod.Put, $"/mappings/shopify/locations/{site.ShopifyLocationId}", new { canonicalId = site.LocationId }, ct);
        }

        foreach (var item in DemoCatalog.Items)
        {
            await Host.SendJsonAsync(HttpMethod.Put, $"/mappings/shopify/skus/{item.ShopifyVariantId}", new { canonicalId = item.Sku }, ct);
            await Host.SendJsonAsync(HttpMethod.Put, $"/mappings/walmart/skus/{item.WalmartSku}", new { canonicalId = item.Sku }, ct);
        }

        // The pusher's start-up resync ran before the storefront ids were mapped: offer every position again.
        await Host.SendJsonAsync(HttpMethod.Post, "/ecommerce/storefront/resync?full=true", null, ct);
        var positions = DemoCatalog.Items.Sum(i => DemoCatalog.Sites.Count(s => i.OpeningStock.GetValueOrDefault(s.LocationId) > 0));
        await DemoHttp.WaitUntilAsync("the storefront's first levels", async () =>
            (await _http.GetJsonAsync($"{_sim}/storefront/inventory_levels", ct)).Items().Count >= positions
            && (await Host.GetJsonAsync("/ecommerce/storefront/status", ct)).Number("pending") == 0,
            TimeSpan.FromSeconds(30 + (positions / options.PushRate)), ct, intervalMs: 250);
        return $"2 POS stores, {DemoCatalog.Items.Count} storefront variants at {DemoCatalog.Sites.Count} locations, {DemoCatalog.Items.Count} walmart SKUs; storefront holds {positions} levels";
    }

    /// <summary>
    /// The day: till sales at a steady pace, the order flows beside them, and the ERP outage from a third of the sales
    /// for <see cref="DemoOptions.OutageSeconds"/>.
    /// </summary>
    private async Task RunTheDayAsync(CancellationToken ct)
    {
        Log($"The day starts: {options.Sales} sales, one every {options.SaleIntervalMs} ms");
        var orders = Task.Run(() => RunOrdersAsync(ct), ct);
        var outage = Task.CompletedTask;
        var random = new Random(options.Seed);
        var sold = DemoCatalog.Items.Where(i => i.SoldAtTills).ToList();
        var stores = DemoCatalog.Sites.Where(s => s.StoreNumber is not null).ToList();
        var failed = 0;
        for (var i = 0; i < options.Sales; i++)
        {
            if (i == options.Sales / 3)
            {
                outage = ErpOutageAsync(ct);
            }

            var store = stores[random.Next(stores.Count)];
            var item = sold[random.Next(sold.Count)];
            var quantity = random.Next(10) == 0 ? 2 : 1;
            try
            {
                await SellAsync(store, item, quantity, ct);
            }
            catch (Exception ex) when (ex is DemoException or HttpRequestException)
            {
                failed++;
                Log($"Sale {i + 1} failed: {ex.Message}");
            }

            if ((i + 1) % 20 == 0 || i + 1 == options.Sales)
            {
                Log($"{i + 1} sales rung up");
            }

            await Task.Delay(options.SaleIntervalMs, ct);
        }

        _salesDone = true;
        Record("till sales", failed == 0, $"{_sales.Count} sales, {_sales.Sum(s => s.Quantity)} units at {stores.Count} stores{(failed > 0 ? $"; {failed} failed" : "")}");
        await Task.WhenAll(orders, outage);
    }

    /// <summary>One sale at a till: the till journals it and uploads it to the host at once.</summary>
    private async Task SellAsync(DemoSite store, DemoItem item, int quantity, CancellationToken ct)
    {
        var recordedAt = DateTimeOffset.UtcNow;
        var answer = await _http.SendJsonAsync(HttpMethod.Post, $"{_sim}/pos/stores/{store.StoreNumber}/sales", new
        {
            lines = new[] { new { barcode = item.Barcode, quantity } },
            occurredAt = recordedAt,
        }, ct);
        var sequence = answer?["entry"].Number("sequence") ?? throw new DemoException($"The till of store {store.StoreNumber} answered without an entry.");
        _sales.Enqueue(new SaleRecord(store.StoreNumber!, sequence, item.Sku, store.LocationId, quantity, recordedAt));
    }

    /// <summary>The ERP goes down while the sales go on; then it is back and the posting queue must drain.</summary>
    private async Task ErpOutageAsync(CancellationToken ct)
    {
        await _http.SendJsonAsync(HttpMethod.Put, $"{_sim}/erp/faults", new { outage = true }, ct);
        Log($"ERP outage: the ERP answers 503 for {options.OutageSeconds} s");
        var pendingPeak = 0;
        var until = DateTime.UtcNow.AddSeconds(options.OutageSeconds);
        while (DateTime.UtcNow < until)
        {
            pendingPeak = Math.Max(pendingPeak, (await Host.GetJsonAsync("/erp/postings?status=Pending&limit=500", ct)).Items().Count);
            await Task.Delay(500, ct);
        }

        await _http.SendJsonAsync(HttpMethod.Delete, $"{_sim}/erp/faults", null, ct);
        Log($"ERP back after {options.OutageSeconds} s; up to {pendingPeak} postings were waiting");
        await StepAsync("ERP outage", async () =>
        {
            var drained = Stopwatch.StartNew();
            await DemoHttp.WaitUntilAsync("the ERP posting queue to drain after the outage", async () =>
                (await Host.GetJsonAsync("/erp/postings?status=Pending&limit=1", ct)).Items().Count == 0,
                TimeSpan.FromSeconds(60), ct);
            return $"{options.OutageSeconds} s down, up to {pendingPeak} postings queued, drained {drained.Elapsed.TotalSeconds:0.0} s after it came back";
        }, rethrow: false);
    }

    /// <summary>
    /// The order flows of the day, one after the other beside the sales, each once the tills have rung up its share of
    /// the day (the return and the marketplace order fall in the ERP outage); a failed one does not stop the others.
    /// </summary>
    private async Task RunOrdersAsync(CancellationToken ct)
    {
        await WhenSalesReachAsync(0.10, ct);
        await StepAsync("click-and-collect", () => ClickAndCollectAsync(ct), rethrow: false);
        await WhenSalesReachAsync(0.25, ct);
        await StepAsync("split shipped order", () => SplitOrderAsync(ct), rethrow: false);
        await WhenSalesReachAsync(0.40, ct);
        await StepAsync("customer return", () => CustomerReturnAsync(ct), rethrow: false);
        await WhenSalesReachAsync(0.50, ct);
        await StepAsync("marketplace order", () => MarketplaceOrderAsync(ct), rethrow: false);
    }

    private async Task WhenSalesReachAsync(double share, CancellationToken ct)
    {
        while (_sales.Count < (int)(share * options.Sales) && !_salesDone)
        {
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Reserve at STORE-001, pay; the OMS picks and readies it; the till scans the handover.</summary>
    private async Task<string> ClickAndCollectAsync(CancellationToken ct)
    {
        var order = await Host.SendJsonAsync(HttpMethod.Post, "/click-and-collect?wait=10", new
        {
            orderId = ClickAndCollectOrder, storeId = DemoCatalog.Store1, lines = new[] { new { sku = "SKU-1004", quantity = 1 } }, channelId = "click-and-collect",
        }, ct);
        Expect(order, "Reserved", $"click-and-collect {ClickAndCollectOrder}");
        Log($"{ClickAndCollectOrder}: reserved at {DemoCatalog.Store1}; paying");
        await Host.SendJsonAsync(HttpMethod.Post, $"/click-and-collect/{ClickAndCollectOrder}/payment?wait=10", null, ct);
        await WaitForStateAsync($"/click-and-collect/{ClickAndCollectOrder}", "ReadyForPickup", ct);
        Log($"{ClickAndCollectOrder}: picked and ready for pickup (OMS); the customer comes to the till");
        await _http.SendJsonAsync(HttpMethod.Post, $"{_sim}/pos/stores/{DemoCatalog.Site(DemoCatalog.Store1).StoreNumber}/handovers", new { orderId = ClickAndCollectOrder }, ct);
        await WaitForStateAsync($"/click-and-collect/{ClickAndCollectOrder}", "Collected", ct);
        return $"{ClickAndCollectOrder}: reserved, paid, picked, ready, collected (handover scanned at the till)";
    }

    /// <summary>A shipped order no single location can serve: the DC ships the tent, STORE-001 the head torch.</summary>
    private async Task<string> SplitOrderAsync(CancellationToken ct)
    {
        var order = await Host.SendJsonAsync(HttpMethod.Post, "/orders?wait=10", new
        {
            orderId = SplitOrder, lines = new[] { new { sku = "SKU-1006", quantity = 1 }, new { sku = "SKU-1005", quantity = 1 } }, channelId = "web",
        }, ct);
        var shipments = order?["shipments"].Items().Select(s => s.Text("locationId")).ToList() ?? [];
        Log($"{SplitOrder}: {shipments.Count} shipments ({string.Join(", ", shipments)}); the OMS picks and dispatches them");
        if (shipments.Count != 2)
        {
            throw new DemoException($"{SplitOrder} was expected to split into two shipments (DC-01 and a store), not {shipments.Count}: {order?.ToJsonString()}");
        }

        await WaitForStateAsync($"/orders/{SplitOrder}", "Completed", ct);
        return $"{SplitOrder}: shipments from {string.Join(" and ", shipments)}, both picked and dispatched, Completed";
    }

    /// <summary>A customer brings a jacket back to STORE-002; it is inspected and restocked.</summary>
    private async Task<string> CustomerReturnAsync(CancellationToken ct)
    {
        await Host.SendJsonAsync(HttpMethod.Post, "/returns?wait=10", new
        {
            returnId = ReturnId, locationId = DemoCatalog.Store2, lines = new[] { new { sku = "SKU-1002", quantity = 1 } }, reason = "Wrong size",
        }, ct);
        Log($"{ReturnId}: received at {DemoCatalog.Store2} (quarantine); inspecting");
        await Host.SendJsonAsync(HttpMethod.Post, $"/returns/{ReturnId}/inspection?wait=10", new
        {
            lines = new[] { new { sku = "SKU-1002", quantity = 1, disposition = "Restock" } }, inspectedBy = "demo",
        }, ct);
        JsonNode? view = null;
        await DemoHttp.WaitUntilAsync($"return {ReturnId} to be inspected", async () =>
        {
            view = await Host.GetJsonAsync($"/returns/{ReturnId}", ct);
            return view.Number("uninspectedUnits") == 0;
        }, FlowTimeout, ct);
        return $"{ReturnId}: 1 unit received at {DemoCatalog.Store2}, inspected, Restock (state {view.Text("state")})";
    }

    /// <summary>An order placed at the marketplace: the host polls it, acknowledges it, hands it over, ships it, confirms it.</summary>
    private async Task<string> MarketplaceOrderAsync(CancellationToken ct)
    {
        await _http.SendJsonAsync(HttpMethod.Post, $"{_sim}/marketplaces/walmart/orders", new
        {
            marketplaceOrderId = MarketplaceOrder, lines = new[] { new { lineNumber = "1", sku = "WM-1001", quantity = 1 } },
        }, ct);
        Log($"walmart {MarketplaceOrder}: placed at the marketplace; waiting for the host to poll and acknowledge it");
        JsonNode? intake = null;
        await DemoHttp.WaitUntilAsync($"marketplace order walmart/{MarketplaceOrder} to be handed over", async () =>
        {
            var (status, body) = await Host.TrySendJsonAsync(HttpMethod.Get, $"/marketplace-orders/walmart/{MarketplaceOrder}", null, ct);
            intake = status == 200 ? body : null;
            return intake.Text("state") is "HandedOver" or "Rejected" or "AcknowledgementRefused" or "AcknowledgementOverdue" or "Invalid" or "Cancelled";
        }, FlowTimeout, ct);
        Expect(intake, "HandedOver", $"marketplace order walmart/{MarketplaceOrder}");
        var acknowledgedAt = intake.Time("acknowledgedAt");
        var deadline = intake.Time("acknowledgeBy");
        if (acknowledgedAt is null || deadline is null || acknowledgedAt > deadline)
        {
            throw new DemoException($"walmart/{MarketplaceOrder} was not acknowledged before its deadline: acknowledged {acknowledgedAt:O}, deadline {deadline:O}.");
        }

        var orderId = intake.Text("orderId") ?? $"walmart:{MarketplaceOrder}";
        await WaitForStateAsync($"/orders/{orderId}", "Completed", ct);
        await DemoHttp.WaitUntilAsync($"the marketplace to hear that {MarketplaceOrder} shipped", async () =>
            (await _http.GetJsonAsync($"{_sim}/marketplaces/walmart/orders/{MarketplaceOrder}", ct)).Text("status") == "Shipped",
            FlowTimeout, ct);
        var took = acknowledgedAt.Value - intake.Time("orderedAt")!.Value;
        return string.Create(CultureInfo.InvariantCulture, $"walmart {MarketplaceOrder}: polled, acknowledged {took.TotalSeconds:0.0} s after ordering (deadline {deadline:HH:mm} UTC), handed over, shipped, confirmed to the marketplace");
    }

    /// <summary>
    /// Quiet before measuring: the tills have nothing unsent, the posting queue is empty (and the ERP's book stopped
    /// growing), and the storefront pusher has nothing pending.
    /// </summary>
    private async Task<string> WaitUntilSettledAsync(CancellationToken ct)
    {
        var booked = -1;
        await DemoHttp.WaitUntilAsync("the tills, the ERP posting queue and the storefront pusher to settle", async () =>
        {
            foreach (var store in DemoCatalog.Sites.Where(s => s.StoreNumber is not null))
            {
                if ((await _http.GetJsonAsync($"{_sim}/pos/stores/{store.StoreNumber}", ct)).Number("pendingEntries") != 0)
                {
                    return false;
                }
            }

            var pending = (await Host.GetJsonAsync("/erp/postings?status=Pending&limit=1", ct)).Items().Count;
            var nowBooked = (await _http.GetJsonAsync($"{_sim}/erp/postings", ct)).Items().Count;
            var pusher = (await Host.GetJsonAsync("/ecommerce/storefront/status", ct)).Number("pending");
            var stable = pending == 0 && pusher == 0 && nowBooked == booked;
            booked = nowBooked;
            return stable;
        }, TimeSpan.FromSeconds(120), ct, intervalMs: 1_000);
        var failed = (await Host.GetJsonAsync("/erp/postings?status=Failed&limit=500", ct)).Items();
        Report.PostingsFailed = failed.Count;
        if (failed.Count > 0)
        {
            Fail($"{failed.Count} ERP postings in the exception queue, e.g. {failed[0].Text("postingId")}: {failed[0].Text("lastError")}");
        }

        return $"no posting pending, {failed.Count} failed; {booked} booked by the ERP; storefront pusher idle";
    }

    /// <summary>The figures: ledger movements, postings, POS uploads, storefront pushes and the sale-to-storefront latency.</summary>
    private async Task<string> MeasureAsync(CancellationToken ct)
    {
        // Every ledger row of every SKU × location: the movements the host applied.
        var applied = new Dictionary<(string Source, string MessageId), DateTimeOffset>();
        foreach (var item in DemoCatalog.Items)
        {
            foreach (var site in DemoCatalog.Sites)
            {
                long? before = null;
                while (true)
                {
                    var page = (await Host.GetJsonAsync($"/inventory/{item.Sku}/{site.LocationId}/ledger?limit=1000{(before is null ? "" : $"&before={before}")}", ct)).Items();
                    foreach (var row in page)
                    {
                        Report.LedgerMovements++;
                        var type = row.Text("movementType") ?? "?";
                        Report.LedgerMovementsByType[type] = Report.LedgerMovementsByType.GetValueOrDefault(type) + 1;
                        applied[(row.Text("sourceSystem") ?? "", row.Text("sourceMessageId") ?? "")] = row.Time("appliedAt") ?? default;
                    }

                    if (page.Count < 1000)
                    {
                        break;
                    }

                    before = page[^1].Number("id");
                }
            }
        }

        // The host's posting queue, page by page, and the ERP's side of it.
        long after = 0;
        while (true)
        {
            var page = (await Host.GetJsonAsync($"/erp/postings?limit=500&after={after}", ct)).Items();
            Report.PostingsQueued += page.Count;
            Report.PostingsPending += page.Count(p => p.Text("status") == "Pending");
            if (page.Count < 500)
            {
                break;
            }

            after = page[^1].Number("sequence") ?? after;
        }

        Report.PostingsBooked = (await _http.GetJsonAsync($"{_sim}/erp/postings", ct)).Items().Count;
        var calls = (await _http.GetJsonAsync($"{_sim}/erp/postings/calls", ct)).Items();
        Report.ErpPostingCalls = calls.Count;
        Report.ErpPostingCallsUnavailable = calls.Count(c => c.Number("status") == 503);
        if (Report.PostingsBooked != Report.PostingsQueued)
        {
            Fail($"The host queued {Report.PostingsQueued} postings but the ERP booked {Report.PostingsBooked}.");
        }

        foreach (var store in DemoCatalog.Sites.Where(s => s.StoreNumber is not null))
        {
            var deliveries = (await _http.GetJsonAsync($"{_sim}/pos/stores/{store.StoreNumber}", ct))?["deliveries"].Items() ?? [];
            Report.PosUploads += deliveries.Count;
            Report.PosUploadsAccepted += deliveries.Count(d => d.Number("status") == 202);
        }

        // The storefront's calls: each sale's latency runs from the till to the first push for its item × location
        // received after the host applied the sale (the ledger row's appliedAt).
        var pushes = (await _http.GetJsonAsync($"{_sim}/storefront/calls", ct)).Items();
        Report.StorefrontPushes = pushes.Count(p => p.Number("status") == 200);
        Report.StorefrontThrottled = pushes.Count(p => p.Number("status") == 429);
        var taken = pushes.Where(p => p.Number("status") == 200)
            .Select(p => (Item: p.Number("inventoryItemId"), Location: p.Number("locationId"), At: p.Time("receivedAt") ?? default))
            .OrderBy(p => p.At)
            .ToList();
        var latencies = new List<double>();
        var toLedger = new List<double>();
        foreach (var sale in _sales)
        {
            var item = DemoCatalog.Item(sale.Sku).ShopifyVariantId;
            var location = DemoCatalog.Site(sale.LocationId).ShopifyLocationId;
            var appliedAt = applied.Where(a => a.Key.Source == $"pos:{sale.LocationId}" && a.Key.MessageId.StartsWith($"{sale.StoreNumber}:{sale.Sequence}:", StringComparison.Ordinal))
                .Select(a => (DateTimeOffset?)a.Value).FirstOrDefault();
            if (appliedAt is { } applyTime)
            {
                toLedger.Add((applyTime - sale.RecordedAt).TotalMilliseconds);
            }

            var push = appliedAt is null ? null : taken.Where(p => p.Item == item && p.Location == location && p.At >= appliedAt).Select(p => (DateTimeOffset?)p.At).FirstOrDefault();
            if (push is null)
            {
                Report.SalesWithoutPush++;
                continue;
            }

            latencies.Add((push.Value - sale.RecordedAt).TotalMilliseconds);
        }

        latencies.Sort();
        toLedger.Sort();
        Report.SaleToLedgerP50Ms = Percentile(toLedger, 0.50);
        Report.SaleToLedgerP99Ms = Percentile(toLedger, 0.99);
        Report.Sales = _sales.Count;
        Report.SaleUnits = _sales.Sum(s => s.Quantity);
        Report.LatencySamples = latencies.Count;
        Report.LatencyP50Ms = Percentile(latencies, 0.50);
        Report.LatencyP99Ms = Percentile(latencies, 0.99);
        Report.LatencyMaxMs = latencies.Count > 0 ? Math.Round(latencies[^1]) : null;
        var status = await Host.GetJsonAsync("/ecommerce/storefront/status", ct);
        Report.HostPushLatencyP50Seconds = status?["latencyP50Seconds"]?.GetValue<double?>();
        Report.HostPushLatencyP99Seconds = status?["latencyP99Seconds"]?.GetValue<double?>();
        return string.Create(CultureInfo.InvariantCulture, $"{Report.LedgerMovements} ledger movements, {Report.PostingsBooked}/{Report.PostingsQueued} postings booked, {Report.StorefrontPushes} pushes, latency over {latencies.Count} sales");
    }

    /// <summary>The ERP's stock book as a snapshot, held against the ledger by the host.</summary>
    private async Task<string> ReconcileAsync(CancellationToken ct)
    {
        var fetched = await Host.SendJsonAsync(HttpMethod.Post, "/erp/snapshots/fetch", null, ct);
        var snapshotId = fetched.Text("snapshotId") ?? throw new DemoException($"POST /erp/snapshots/fetch answered without a snapshotId: {fetched?.ToJsonString()}");
        Report.SnapshotId = snapshotId;
        JsonNode? reconciliation = null;
        await DemoHttp.WaitUntilAsync($"snapshot {snapshotId} to be stored and compared", async () =>
        {
            var (status, body) = await Host.TrySendJsonAsync(HttpMethod.Get, $"/erp/reconciliation?snapshotId={Uri.EscapeDataString(snapshotId)}&largest=10", null, ct);
            reconciliation = status == 200 ? body : null;
            return reconciliation?["complete"]?.GetValue<bool>() == true;
        }, TimeSpan.FromSeconds(60), ct, intervalMs: 300);
        Report.KeysCompared = (int)(reconciliation.Number("keysCompared") ?? 0);
        Report.Mismatches = (int)(reconciliation.Number("mismatches") ?? 0);
        foreach (var m in reconciliation?["largest"].Items() ?? [])
        {
            Report.LargestMismatches.Add(new DemoMismatch(m.Text("sku") ?? "?", m.Text("locationId") ?? "?", m.Number("snapshotOnHand") ?? 0, m.Number("stockSyncOnHand") ?? 0, m.Number("delta") ?? 0));
        }

        if (Report.Mismatches != 0)
        {
            Fail($"The ERP reconciliation found {Report.Mismatches} mismatches.");
        }

        return $"snapshot {snapshotId}: {Report.Mismatches} mismatches over {Report.KeysCompared} keys";
    }

    private async Task<Dictionary<string, string>> TransportSettingsAsync(CancellationToken ct)
    {
        if (options.Transport == DemoTransport.InMemory)
        {
            return new(StringComparer.Ordinal) { ["Transport__Kind"] = "InMemory" };
        }

        var url = options.RabbitMqUrl;
        var credentials = url.UserInfo.Split(':', 2);
        var user = credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest";
        var password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest";
        var vhost = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        vhost = vhost.Length == 0 ? "/" : vhost;
        _management = options.RabbitMqManagementUrl ?? new Uri($"http://{url.Host}:15672/");
        _managementAuth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var fresh = $"stocksync-demo-{_stamp}";
        try
        {
            await ManagementAsync(HttpMethod.Put, $"api/vhosts/{Uri.EscapeDataString(fresh)}", new { description = "StockSync demo run" }, ct);
            await ManagementAsync(HttpMethod.Put, $"api/permissions/{Uri.EscapeDataString(fresh)}/{Uri.EscapeDataString(user)}", new { configure = ".*", write = ".*", read = ".*" }, ct);
            _vhost = fresh;
            vhost = fresh;
            Log($"RabbitMQ: a fresh vhost '{fresh}' for this run (deleted at the end)");
        }
        catch (Exception ex) when (ex is HttpRequestException or DemoException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Log($"RabbitMQ: no fresh vhost ({ex.Message}); the demo's queues are declared in vhost '{vhost}' of {url.Host}");
        }

        return new(StringComparer.Ordinal)
        {
            ["Transport__Kind"] = "RabbitMq",
            ["Transport__RabbitMq__Host"] = url.Host,
            ["Transport__RabbitMq__Port"] = (url.IsDefaultPort || url.Port < 0 ? 5672 : url.Port).ToString(CultureInfo.InvariantCulture),
            ["Transport__RabbitMq__VirtualHost"] = vhost,
            ["Transport__RabbitMq__Username"] = user,
            ["Transport__RabbitMq__Password"] = password,
            ["Transport__RabbitMq__UseTls"] = (url.Scheme == "amqps").ToString(),
        };
    }

    private async Task ManagementAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(_management!, path));
        request.Headers.Authorization = _managementAuth;
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body, body.GetType(), options: DemoHttp.Json);
        }

        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoException($"{method} {request.RequestUri} answered {(int)response.StatusCode}");
        }
    }

    private async Task DeleteVirtualHostAsync()
    {
        if (_vhost is null || options.Keep)
        {
            return;
        }

        try
        {
            await ManagementAsync(HttpMethod.Delete, $"api/vhosts/{Uri.EscapeDataString(_vhost)}", null, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or DemoException or TaskCanceledException)
        {
            Log($"RabbitMQ: vhost '{_vhost}' could not be deleted ({ex.Message})");
        }
    }

    private async Task WaitForStateAsync(string path, string state, CancellationToken ct)
    {
        string? last = null;
        try
        {
            await DemoHttp.WaitUntilAsync($"{path} to be {state}", async () =>
            {
                var (status, body) = await Host.TrySendJsonAsync(HttpMethod.Get, path, null, ct);
                last = status == 404 ? "not there yet" : status == 200 ? body.Text("state") : throw new DemoException($"GET {path} answered {status}: {body?.ToJsonString()}");
                return last == state;
            }, FlowTimeout, ct, intervalMs: 250);
        }
        catch (DemoException ex)
        {
            throw new DemoException($"{ex.Message} It is {last ?? "unknown"}.", ex);
        }
    }

    private static void Expect(JsonNode? view, string state, string what)
    {
        if (view.Text("state") != state)
        {
            throw new DemoException($"{what} was expected to be {state}, not {view.Text("state") ?? "unknown"}: {view?.ToJsonString()}");
        }
    }

    /// <summary>Runs a step: logged, timed and recorded in the report; a failure is recorded and (unless told otherwise) stops the day.</summary>
    private async Task StepAsync(string name, Func<Task<string>> step, bool rethrow = true)
    {
        try
        {
            var detail = await step();
            Record(name, true, detail);
        }
        catch (Exception ex) when (ex is DemoException or HttpRequestException || (ex is TaskCanceledException && ex.InnerException is TimeoutException))
        {
            Record(name, false, ex.Message);
            Fail($"{name}: {ex.Message}");
            if (rethrow)
            {
                throw ex as DemoException ?? new DemoException(ex.Message, ex);
            }
        }
    }

    private void Fail(string failure)
    {
        lock (Report.Failures)
        {
            Report.Failures.Add(failure);
        }
    }

    private void Record(string name, bool ok, string detail)
    {
        lock (Report.Steps)
        {
            Report.Steps.Add(new DemoStep(name, ok, detail, Math.Round(_clock.Elapsed.TotalSeconds, 3)));
        }

        Log($"{(ok ? "ok" : "FAILED")} {name}: {detail}");
    }

    private void Log(string message)
    {
        lock (output)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:0.000}s] {message}"));
        }
    }

    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)]);

    /// <summary>One sale as the till recorded it: the store's journal sequence, the SKU × location, and when.</summary>
    private sealed record SaleRecord(string StoreNumber, long Sequence, string Sku, string LocationId, int Quantity, DateTimeOffset RecordedAt);
}
