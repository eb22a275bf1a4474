using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Orders;
using StockSync.Persistence;
using StockSync.Persistence.Telemetry;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint of a host with default telemetry settings (no exporter configured): after some
/// traffic it serves the <c>StockSync</c> instruments in the Prometheus text format.
/// </summary>
public sealed class MetricsEndpointTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: false, DatabaseProvider.Sqlite, realHttp: true);
        output.WriteLine($"Running against {_host.Description}");
        _client = _host.CreateClient();
        (await _client.PutAsJsonAsync("/catalog/items/SKU-MET", new { description = "Metered shoe" })).EnsureSuccessStatusCode();
        (await _client.PutAsJsonAsync("/catalog/locations/STORE-MET", new { name = "Metered", kind = "Store" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task The_metrics_endpoint_serves_the_StockSync_instruments_in_the_Prometheus_text_format()
    {
        using var recorder = new MeterRecorder(_host.Services.GetRequiredService<StockSyncMetrics>().Meter);
        Assert.Contains(await ScrapeAsync(), l => l.StartsWith("# TYPE", StringComparison.Ordinal));
        var now = DateTimeOffset.UtcNow;
        var receipt = await PostAsync($$"""{"type":"ReceiptPosted","sourceSystem":"erp","sourceMessageId":"GRN-MET-1","occurredAt":"{{now:O}}","sku":"SKU-MET","locationId":"STORE-MET","quantity":10}""");
        var sale = await PostAsync($$"""{"type":"SaleRecorded","sourceSystem":"pos:store-met","sourceMessageId":"T-MET-1","occurredAt":"{{now:O}}","sku":"SKU-MET","locationId":"STORE-MET","quantity":1}""");
        Assert.Equal(HttpStatusCode.Accepted, receipt.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, sale.StatusCode);

        // This host's meter: both movements applied, and their availability changes delivered to the broker.
        await OrderFlowTest.EventuallyAsync(
            () => Task.FromResult(recorder.Sum(StockSyncTelemetry.Instruments.MovementsApplied) == 2 && recorder.Values(StockSyncTelemetry.Instruments.SaleToAvailabilityLatency).Count >= 1),
            () => $"2 movements applied (counted {recorder.Sum(StockSyncTelemetry.Instruments.MovementsApplied)}) and a latency recorded");
        Assert.All(recorder.Values(StockSyncTelemetry.Instruments.SaleToAvailabilityLatency), seconds => Assert.InRange(seconds, 0, 600));

        // Metric lines of the exposition: name{labels} value (OpenTelemetry adds an otel_scope_name label). The values
        // are not this test's alone: OpenTelemetry reads every meter named StockSync in the process, and other tests'
        // service providers have theirs; this host's own counts are asserted above, on its meter instance.
        var lines = Array.Empty<string>();
        (string What, Func<string, bool> Line)[] expected =
        [
            ("the counter's type", l => l == "# TYPE stocksync_ledger_movements_applied_total counter"),
            ("sales applied", l => l.StartsWith("stocksync_ledger_movements_applied_total{", StringComparison.Ordinal) && l.Contains("movement_type=\"SaleRecorded\"", StringComparison.Ordinal)),
            ("the latency histogram's type", l => l == "# TYPE stocksync_availability_latency_seconds histogram"),
            ("the 5 ms bucket", l => l.StartsWith("stocksync_availability_latency_seconds_bucket{", StringComparison.Ordinal) && l.Contains("le=\"0.005\"", StringComparison.Ordinal)),
            ("the 60 s bucket", l => l.StartsWith("stocksync_availability_latency_seconds_bucket{", StringComparison.Ordinal) && l.Contains("le=\"60\"", StringComparison.Ordinal)),
            ("pending outbox messages", l => l.StartsWith("stocksync_outbox_pending{", StringComparison.Ordinal)),
            ("the outbox lag", l => l.StartsWith("stocksync_outbox_lag_seconds{", StringComparison.Ordinal)),
            ("open dead letters", l => l.StartsWith("stocksync_dead_letters_open{", StringComparison.Ordinal)),
        ];
        await OrderFlowTest.EventuallyAsync(
            async () =>
            {
                lines = await ScrapeAsync();
                return expected.All(e => lines.Any(e.Line));
            },
            () => $"/metrics to show {string.Join(", ", expected.Where(e => !lines.Any(e.Line)).Select(e => e.What))}; it served:\n{string.Join('\n', lines.Where(l => l.StartsWith("# TYPE", StringComparison.Ordinal) || l.Contains("stocksync", StringComparison.Ordinal)))}");
        output.WriteLine(string.Join('\n', lines.Where(l => l.StartsWith("stocksync_", StringComparison.Ordinal))));
    }

    /// <summary>One scrape: 200, the Prometheus text format, split into lines.</summary>
    private async Task<string[]> ScrapeAsync()
    {
        using var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n');
    }

    private Task<HttpResponseMessage> PostAsync(string json) =>
        _client.PostAsync("/movements", new StringContent(json, Encoding.UTF8, "application/json"));
}
