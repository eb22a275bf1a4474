using StockSync.Demo;
using StockSync.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Demo;

/// <summary>
/// The demo command's store day, small (20 sales, a 3 s ERP outage), on the embedded default: the real host as a child
/// process and the simulators in this process, as <c>dotnet run --project src/StockSync.Demo</c> runs it. Every step
/// of the day is done, every posting the host queued is booked by the ERP, the ERP reconciliation finds no mismatch,
/// and the sale-to-storefront latency is measured.
/// </summary>
[Collection(HostProcessesRunAlone.Name)]
public sealed class DemoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_small_store_day_reconciles_with_the_erp_and_measures_the_storefront_latency()
    {
        var options = new DemoOptions { Sales = 20, OutageSeconds = 3 };
        using var log = new StringWriter();
        DemoReport report;
        var day = new StoreDay(options, log);
        await using (day)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            report = await day.RunAsync(timeout.Token);
            report.Print(log);
        }

        output.WriteLine(log.ToString());
        Assert.Empty(report.Failures);
        Assert.All(report.Steps, step => Assert.True(step.Ok, $"{step.Name}: {step.Detail}"));
        Assert.Contains(report.Steps, s => s.Name == "marketplace order");
        Assert.Contains(report.Steps, s => s.Name == "ERP outage");
        Assert.Equal(20, report.Sales);
        Assert.Equal(0, report.Mismatches);
        Assert.True(report.KeysCompared > 0);
        Assert.True(report.PostingsQueued >= report.Sales, $"{report.PostingsQueued} postings queued for {report.Sales} sales");
        Assert.Equal(report.PostingsQueued, report.PostingsBooked);
        Assert.Equal(0, report.PostingsPending);
        Assert.Equal(0, report.PostingsFailed);
        Assert.True(report.ErpPostingCallsUnavailable > 0, "the ERP outage answered no posting call with 503");
        Assert.NotNull(report.LatencyP50Ms);
        Assert.NotNull(report.LatencyP99Ms);
        Assert.True(report.LatencySamples > 0);
        Assert.True(report.LedgerMovements >= report.Sales);
        Assert.True(report.Ok);
    }
}
