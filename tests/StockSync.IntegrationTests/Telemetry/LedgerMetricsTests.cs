using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Inventory;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Telemetry;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Telemetry;

/// <summary>
/// The ledger's instruments on the <c>StockSync</c> meter count what the ledger did: movements applied by type,
/// duplicates dropped, sequence gaps detected. Each test has its own service provider, so its own meter instance.
/// </summary>
public abstract class LedgerMetricsTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Store = "STORE-M1";
    private LedgerServices _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await LedgerServices.StartAsync(provider);
        output.WriteLine($"Running against {_ledger.Database.Description}");
        await _ledger.InScopeAsync(async sp =>
        {
            var catalog = sp.GetRequiredService<CatalogService>();
            await catalog.UpsertItemAsync("SKU-M1", null, default);
            await catalog.UpsertLocationAsync(Store, null, "Store", default);
            return 0;
        });
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Applied_movements_duplicates_and_sequence_gaps_are_counted_as_they_happen()
    {
        var metrics = await _ledger.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<StockSyncMetrics>()));
        using var recorder = new MeterRecorder(metrics.Meter);
        var source = $"pos:{Guid.NewGuid():N}";
        var first = Movements.Sale("SKU-M1", Store, 1, sequence: 1, source: source);

        await ApplyAsync(Movements.Receipt("SKU-M1", Store, 10));
        // Sequence 2 never arrives: one gap. The same sale again: one duplicate, applied once.
        await ApplyAsync(first, Movements.Sale("SKU-M1", Store, 2, sequence: 3, source: source));
        var again = await ApplyAsync(first);

        Assert.Empty(again.AvailabilityChanges);
        Assert.Equal(1, recorder.Sum(StockSyncTelemetry.Instruments.MovementsApplied, (StockSyncTelemetry.Tags.MovementType, nameof(ReceiptPosted))));
        Assert.Equal(2, recorder.Sum(StockSyncTelemetry.Instruments.MovementsApplied, (StockSyncTelemetry.Tags.MovementType, nameof(SaleRecorded))));
        Assert.Equal(3, recorder.Sum(StockSyncTelemetry.Instruments.MovementsApplied));
        Assert.Equal(1, recorder.Sum(StockSyncTelemetry.Instruments.DuplicatesDropped));
        Assert.Equal(1, recorder.Sum(StockSyncTelemetry.Instruments.SequenceGaps, (StockSyncTelemetry.Tags.SourceSystem, source)));
    }

    [Fact]
    public async Task A_refused_batch_counts_nothing_applied()
    {
        var metrics = await _ledger.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<StockSyncMetrics>()));
        using var recorder = new MeterRecorder(metrics.Meter);

        // An all-or-nothing reservation of more than there is: refused, nothing written, nothing counted.
        var result = await _ledger.InScopeAsync(sp => sp.GetRequiredService<LedgerBatchWriter>().ApplyAllOrNothingAsync(
            [Movements.Receipt("SKU-M1", Store, 1), new StockReserved
            {
                SourceSystem = "test", SourceMessageId = Movements.NewId("R"), OccurredAt = Movements.Morning, Sku = "SKU-M1", LocationId = Store,
                Quantity = 5, ReservationId = Movements.NewId("RES"),
            }],
            default));

        Assert.Equal(0, result.Applied);
        Assert.NotEmpty(result.Rejections);
        Assert.Equal(0, recorder.Sum(StockSyncTelemetry.Instruments.MovementsApplied));
    }

    private Task<LedgerBatchResult> ApplyAsync(params StockMovement[] movements) =>
        _ledger.InScopeAsync(sp => sp.GetRequiredService<LedgerBatchWriter>().ApplyAsync(movements, default));
}

/// <summary>The ledger's instruments on PostgreSQL.</summary>
public sealed class LedgerMetricsOnPostgreSqlTests(ITestOutputHelper output) : LedgerMetricsTests(DatabaseProvider.PostgreSql, output);
