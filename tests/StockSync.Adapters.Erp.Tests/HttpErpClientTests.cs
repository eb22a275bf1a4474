using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Persistence.Erp;
using StockSync.Simulators;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>
/// The HTTP client against the ERP simulator over real HTTP: how each of the simulator's faults reads to the
/// dispatcher (unavailable, throttled with Retry-After, refused as a whole, one posting refused, too slow), and that
/// the simulator books a repeated posting once.
/// </summary>
public sealed class HttpErpClientTests : IAsyncLifetime
{
    private WebApplication _simulator = null!;
    private Uri _base = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        (_simulator, _base) = await SimulatorApp.StartAsync();
        _services = Client(new Uri(_base, "/erp/postings").ToString());

        // The first request of a process pays for JIT and connection set-up; keep it out of the timeout checks.
        Assert.IsType<ErpBatchOutcome.Answered>(await Erp.PostAsync(Batch("WARM-UP"), default));
        using var http = new HttpClient();
        Assert.True((await http.DeleteAsync(new Uri(_base, "/erp/postings"))).IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    private static ServiceProvider Client(string url) =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddStockSyncErpAdapter(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Erp:Postings:Url"] = url,
                ["Erp:Postings:RequestTimeout"] = "00:00:02",
            }).Build())
            .BuildServiceProvider();

    private IErpClient Erp => _services.GetRequiredService<IErpClient>();

    private static List<ErpPostingRecord> Batch(params string[] ids) =>
        [.. ids.Select((id, i) => new ErpPostingRecord { Sequence = i + 1, PostingId = id, Kind = ErpPostingKind.Sale, Payload = ErpTestBed.Posting(id).ToJson(), Status = ErpPostingStatus.Pending })];

    private async Task FaultsAsync(object faults)
    {
        using var http = new HttpClient();
        Assert.True((await http.PutAsJsonAsync(new Uri(_base, "/erp/faults"), faults)).IsSuccessStatusCode);
    }

    private async Task<JsonArray> BookAsync()
    {
        using var http = new HttpClient();
        return JsonNode.Parse(await http.GetStringAsync(new Uri(_base, "/erp/postings")))!.AsArray();
    }

    [Fact]
    public async Task A_batch_is_booked_in_order_with_its_sequence_and_a_repeated_posting_is_accepted_but_booked_once()
    {
        var first = Assert.IsType<ErpBatchOutcome.Answered>(await Erp.PostAsync(Batch("P1", "P2"), default));
        var again = Assert.IsType<ErpBatchOutcome.Answered>(await Erp.PostAsync(Batch("P2", "P3"), default));

        Assert.All(first.Results.Concat(again.Results), r => Assert.True(r.Accepted));
        var book = await BookAsync();
        Assert.Equal(["P1", "P2", "P3"], book.Select(b => b!["postingId"]!.GetValue<string>()));
        Assert.Equal([1, 2, 1], book.Select(b => b!["deliveries"]!.GetValue<int>()));
        Assert.Equal([1L, 2L, 2L], book.Select(b => b!["sequence"]!.GetValue<long>()));
        Assert.Equal("Sale", book[0]!["document"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_outage_and_throttling_read_as_an_unavailable_ERP_with_its_Retry_After()
    {
        await FaultsAsync(new { outage = true });
        var down = Assert.IsType<ErpBatchOutcome.Unavailable>(await Erp.PostAsync(Batch("P1"), default));
        Assert.StartsWith("HTTP 503", down.Error, StringComparison.Ordinal);

        await FaultsAsync(new { throttleNext = 1, retryAfterSeconds = 7 });
        var throttled = Assert.IsType<ErpBatchOutcome.Unavailable>(await Erp.PostAsync(Batch("P1"), default));
        Assert.Equal((TimeSpan.FromSeconds(7), true), (throttled.RetryAfter!.Value, throttled.Error.StartsWith("HTTP 429", StringComparison.Ordinal)));

        Assert.IsType<ErpBatchOutcome.Answered>(await Erp.PostAsync(Batch("P1"), default));
        Assert.Single(await BookAsync());
    }

    [Fact]
    public async Task One_refused_posting_is_reported_with_its_reason_and_the_rest_of_the_batch_is_booked()
    {
        await FaultsAsync(new { refusePostingIds = new[] { "P2" } });

        var answered = Assert.IsType<ErpBatchOutcome.Answered>(await Erp.PostAsync(Batch("P1", "P2", "P3"), default));

        Assert.Equal([("P1", true), ("P2", false), ("P3", true)], answered.Results.Select(r => (r.PostingId, r.Accepted)));
        Assert.Contains("HTTP 400", answered.Results[1].Error, StringComparison.Ordinal);
        Assert.Equal(["P1", "P3"], (await BookAsync()).Select(b => b!["postingId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_request_refused_as_a_whole_reads_as_refused()
    {
        await FaultsAsync(new { refuseNext = 1 });

        var refused = Assert.IsType<ErpBatchOutcome.Refused>(await Erp.PostAsync(Batch("P1"), default));

        Assert.StartsWith("HTTP 400", refused.Error, StringComparison.Ordinal);
        Assert.Empty(await BookAsync());
    }

    [Fact]
    public async Task A_slow_ERP_past_the_request_timeout_and_an_unreachable_one_read_as_unavailable()
    {
        await FaultsAsync(new { delayMs = 4000 });
        var slow = Assert.IsType<ErpBatchOutcome.Unavailable>(await Erp.PostAsync(Batch("P1"), default));
        Assert.StartsWith("No answer from 127.0.0.1 within 2 s", slow.Error, StringComparison.Ordinal);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var nowhere = Client($"http://127.0.0.1:{port}/erp/postings");
        var unreachable = Assert.IsType<ErpBatchOutcome.Unavailable>(await nowhere.GetRequiredService<IErpClient>().PostAsync(Batch("P1"), default));
        Assert.Contains("could not be reached", unreachable.Error, StringComparison.Ordinal);
    }
}
