using Microsoft.Extensions.DependencyInjection;
using StockSync.Persistence;
using StockSync.Persistence.Entities;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The dashboard's latency chart: sale-to-availability latency per minute (<c>AppliedAt − OccurredAt</c> of the
/// ledger's <c>SaleRecorded</c> rows), over SQLite with the controllable clock.
/// </summary>
public sealed class SaleLatencyQueryTests
{
    [Fact]
    public async Task Sales_applied_in_the_window_are_grouped_per_minute_with_nearest_rank_percentiles()
    {
        await using var harness = await SagaHarness.StartAsync();
        var now = SagaHarness.Start.UtcDateTime.AddMinutes(30).AddSeconds(20); // 09:30:20
        harness.Clock.SetUtcNow(now);
        var n = 0;
        LedgerEntryRecord Row(string type, DateTime appliedAt, double latencyMs) => new()
        {
            Sku = "SKU-1",
            LocationId = "STORE-1",
            MovementType = type,
            SourceSystem = "pos:test",
            SourceMessageId = $"m-{++n}",
            OnHandDelta = -1,
            AppliedAt = appliedAt,
            OccurredAt = appliedAt.AddMilliseconds(-latencyMs),
        };

        var minute = new DateTime(2026, 11, 23, 9, 29, 0, DateTimeKind.Utc);
        await using (var scope = harness.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            // 09:29: ten sales of 100..1000 ms; 09:30: one, from a source clock ahead of ours (a negative latency).
            db.LedgerEntries.AddRange(Enumerable.Range(1, 10).Select(i => Row("SaleRecorded", minute.AddSeconds(i), i * 100)));
            db.LedgerEntries.Add(Row("SaleRecorded", minute.AddMinutes(1).AddSeconds(5), -250));
            // Not counted: a receipt, a sale applied before the window, and one applied after now's minute.
            db.LedgerEntries.Add(Row("GoodsReceived", minute.AddSeconds(30), 5_000));
            db.LedgerEntries.Add(Row("SaleRecorded", minute.AddMinutes(-60), 9_000));
            db.LedgerEntries.Add(Row("SaleRecorded", minute.AddMinutes(2), 9_000));
            await db.SaveChangesAsync();
        }

        await using (var scope = harness.Services.CreateAsyncScope())
        {
            var latency = await scope.ServiceProvider.GetRequiredService<SaleLatencyQuery>().PerMinuteAsync(60, CancellationToken.None);

            Assert.Equal((minute.AddMinutes(-58), minute.AddMinutes(2)), (latency.From, latency.To));
            Assert.Equal((11, false), (latency.Sales, latency.Truncated));
            Assert.Equal(
                [new SaleLatencyPoint(minute, 10, 500, 1000, 1000), new SaleLatencyPoint(minute.AddMinutes(1), 1, 0, 0, 0)],
                latency.Points);
        }
    }

    [Theory]
    [InlineData(0.50, 50)]
    [InlineData(0.99, 99)]
    [InlineData(1.00, 100)]
    [InlineData(0.001, 1)]
    public void Percentiles_are_nearest_rank(double p, double expected) =>
        Assert.Equal(expected, SaleLatencyQuery.Percentile([.. Enumerable.Range(1, 100).Select(i => (double)i)], p));
}
