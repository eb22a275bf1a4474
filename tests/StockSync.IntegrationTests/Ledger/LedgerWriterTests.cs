using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Inventory;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Inventory;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Ledger;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Ledger;

/// <summary>
/// The database ledger (set-based batches, one transaction each) held to the reference ledger's rules on each
/// provider: same positions, same refusals, positions equal to the ledger's sums, no lost update under concurrency.
/// </summary>
public abstract class LedgerWriterTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Skus = ["SKU-A", "SKU-B", "SKU-C"];
    private static readonly string[] Locations = ["STORE-1", "STORE-2", "DC-1"];
    private LedgerServices _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = await LedgerServices.StartAsync(provider);
        output.WriteLine($"Running against {_ledger.Database.Description}");
        await _ledger.InScopeAsync(async sp =>
        {
            var catalog = sp.GetRequiredService<CatalogService>();
            foreach (var sku in Skus)
            {
                await catalog.UpsertItemAsync(sku, null, default);
            }

            foreach (var location in Locations)
            {
                await catalog.UpsertLocationAsync(location, null, "Store", default);
            }

            return 0;
        });
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task The_database_ledger_agrees_with_the_reference_ledger_on_a_random_workload(int seed)
    {
        var random = new Random(seed);
        var movements = RandomWorkload(random, 400);
        var reference = new InMemoryLedger();
        var expectedRejections = movements.Count(m => reference.Apply(m) is MovementOutcome.Rejected);

        var rejections = 0;
        for (var offset = 0; offset < movements.Count;)
        {
            var size = Math.Min(random.Next(1, 60), movements.Count - offset);
            var batch = movements.GetRange(offset, size);
            var result = await _ledger.InScopeAsync(sp => sp.GetRequiredService<LedgerBatchWriter>().ApplyAsync(batch, default));
            rejections += result.Rejections.Count;
            offset += size;
        }

        output.WriteLine($"{movements.Count} movements, {rejections} refused by the rules");
        Assert.Equal(expectedRejections, rejections);
        var stored = await _ledger.InScopeAsync(async sp => await sp.GetRequiredService<StockSyncDbContext>().Positions.AsNoTracking().ToListAsync());
        foreach (var (key, expected) in reference.Positions)
        {
            var row = Assert.Single(stored, p => p.Sku == key.Sku && p.LocationId == key.LocationId);
            Assert.Equal(expected, row.ToDomain());
        }

        Assert.Empty(await _ledger.InScopeAsync(sp => sp.GetRequiredService<InventoryQueries>().FindProjectionMismatchesAsync(default)));
    }

    [Fact]
    public async Task Applying_the_same_movements_again_changes_nothing()
    {
        var movements = RandomWorkload(new Random(7), 150);
        var first = await ApplyAsync(movements);
        var refused = first.Rejections.Select(r => r.Index).ToHashSet();
        var applied = movements.Where((_, i) => !refused.Contains(i)).ToList();
        var before = await SnapshotAsync();

        var again = await ApplyAsync(applied);

        Assert.Equal(applied.Count, again.DuplicateIndexes.Count);
        Assert.Equal(0, again.Applied);
        Assert.Empty(again.AvailabilityChanges);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_reused_id_with_other_content_is_refused_in_a_later_batch_and_in_the_same_batch()
    {
        await ApplyAsync([Movements.Receipt("SKU-C", "STORE-1", 30)]);
        var sale = Movements.Sale("SKU-C", "STORE-1", 2, sequence: 1, source: "pos:restarted-till");
        await ApplyAsync([sale]);

        // The till restarted its numbering: a new day's sale under yesterday's id, then the same pair inside one batch.
        var nextDay = sale with { OccurredAt = sale.OccurredAt.AddDays(1), Quantity = 1 };
        var later = await ApplyAsync([nextDay, sale]);
        var fresh = Movements.Sale("SKU-C", "STORE-1", 3, sequence: 2, source: "pos:restarted-till");
        var sameBatch = await ApplyAsync([fresh, fresh with { Quantity = 4 }]);

        var refused = Assert.Single(later.Rejections);
        Assert.Equal((0, RejectionKind.ConflictingDuplicate), (refused.Index, refused.Outcome.Kind));
        Assert.Equal([1], later.DuplicateIndexes);
        Assert.Contains("applied before with different content", refused.Outcome.Reason, StringComparison.Ordinal);
        var inBatch = Assert.Single(sameBatch.Rejections);
        Assert.Equal((1, RejectionKind.ConflictingDuplicate), (inBatch.Index, inBatch.Outcome.Kind));
        Assert.Equal(1, sameBatch.Applied);
        Assert.Equal(25, (await PositionAsync("SKU-C", "STORE-1")).OnHand); // 30 - 2 - 3: neither reused id changed anything
    }

    [Fact]
    public async Task A_count_absorbs_late_sales_that_occurred_before_it_and_keeps_those_after_it()
    {
        var asOf = Movements.Morning.AddHours(1);
        await ApplyAsync([Movements.Receipt("SKU-A", "STORE-1", 20)]);
        await ApplyAsync([Movements.Sale("SKU-A", "STORE-1", 2, at: asOf.AddMinutes(5))]);
        await ApplyAsync([Movements.Count("SKU-A", "STORE-1", 17, asOf)]);
        var late = await ApplyAsync([Movements.Sale("SKU-A", "STORE-1", 4, at: asOf.AddMinutes(-10))]);

        var position = await PositionAsync("SKU-A", "STORE-1");
        Assert.Equal(15, position.OnHand); // 17 counted, minus the 2 sold after the count; the late sale is inside the count
        Assert.Equal(asOf, position.CountedAsOf);
        Assert.Empty(late.AvailabilityChanges);
        var ledger = await _ledger.InScopeAsync(sp => sp.GetRequiredService<InventoryQueries>().GetLedgerAsync("SKU-A", "STORE-1", 10, null, default));
        Assert.Contains("already inside the count", ledger[0].Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sequence_gaps_are_recorded_and_closed_when_the_missing_movements_arrive()
    {
        await ApplyAsync([Movements.Receipt("SKU-A", "STORE-1", 50)]);
        var first = await ApplyAsync([
            Movements.Sale("SKU-A", "STORE-1", 1, sequence: 1, source: "pos:store-1"),
            Movements.Sale("SKU-A", "STORE-1", 1, sequence: 2, source: "pos:store-1"),
            Movements.Sale("SKU-A", "STORE-1", 1, sequence: 6, source: "pos:store-1"),
        ]);
        var gap = Assert.Single(first.GapsOpened);
        Assert.Equal((3, 5), (gap.FirstMissing, gap.LastMissing));

        await ApplyAsync([Movements.Sale("SKU-A", "STORE-1", 1, sequence: 4, source: "pos:store-1")]);
        var open = await GapsAsync();
        Assert.Equal([(3L, 3L), (5L, 5L)], open);

        await ApplyAsync([
            Movements.Sale("SKU-A", "STORE-1", 1, sequence: 3, source: "pos:store-1"),
            Movements.Sale("SKU-A", "STORE-1", 1, sequence: 5, source: "pos:store-1"),
        ]);
        Assert.Empty(await GapsAsync());
    }

    [Fact]
    public async Task Concurrent_batches_on_one_position_never_lose_an_update()
    {
        await ApplyAsync([Movements.Receipt("SKU-B", "STORE-2", 1000)]);
        var conflicts = 0;

        async Task SellAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var sale = Movements.Sale("SKU-B", "STORE-2", 1);
                while (true)
                {
                    try
                    {
                        await ApplyAsync([sale]);
                        break;
                    }
                    catch (DbUpdateException)
                    {
                        // What MassTransit's retry does with a batch that lost the optimistic-concurrency race.
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        }

        await Task.WhenAll(SellAsync(40), SellAsync(40), SellAsync(40));

        output.WriteLine($"{conflicts} concurrency conflicts were retried");
        Assert.Equal(880, (await PositionAsync("SKU-B", "STORE-2")).OnHand);
        Assert.Empty(await _ledger.InScopeAsync(sp => sp.GetRequiredService<InventoryQueries>().FindProjectionMismatchesAsync(default)));
    }

    private Task<LedgerBatchResult> ApplyAsync(IReadOnlyList<StockMovement> movements) =>
        _ledger.InScopeAsync(sp => sp.GetRequiredService<LedgerBatchWriter>().ApplyAsync(movements, default));

    private Task<StockPosition> PositionAsync(string sku, string location) => _ledger.InScopeAsync(async sp =>
        (await sp.GetRequiredService<StockSyncDbContext>().Positions.AsNoTracking().SingleAsync(p => p.Sku == sku && p.LocationId == location)).ToDomain());

    private Task<List<(long, long)>> GapsAsync() => _ledger.InScopeAsync(async sp =>
        (await sp.GetRequiredService<StockSyncDbContext>().SequenceGaps.AsNoTracking().ToListAsync())
            .Select(g => (g.FirstMissing, g.LastMissing)).Order().ToList());

    private Task<string> SnapshotAsync() => _ledger.InScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<StockSyncDbContext>();
        var positions = await db.Positions.AsNoTracking().OrderBy(p => p.Sku).ThenBy(p => p.LocationId).ToListAsync();
        var rows = await db.LedgerEntries.CountAsync();
        return string.Join("|", positions.Select(p => $"{p.Sku}@{p.LocationId}:{p.ToDomain()}:v{p.Version}")) + $"|rows={rows}";
    });

    /// <summary>A realistic random mix of every movement type, including counts, over a few SKUs and locations.</summary>
    private static List<StockMovement> RandomWorkload(Random random, int count)
    {
        var list = new List<StockMovement>(count);
        for (var i = 0; i < count; i++)
        {
            var sku = Skus[random.Next(Skus.Length)];
            var location = Locations[random.Next(Locations.Length)];
            var other = Locations.First(l => l != location);
            var at = Movements.Morning.AddMinutes(random.Next(0, 600));
            var q = random.Next(1, 8);
            var id = $"M-{i}-{random.Next()}";
            StockMovement movement = random.Next(13) switch
            {
                0 or 1 => new ReceiptPosted { SourceSystem = "erp", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q * 3 },
                2 or 3 => new SaleRecorded { SourceSystem = "pos", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q },
                4 => new ReturnReceived { SourceSystem = "pos", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q },
                5 => new StockReserved { SourceSystem = "web", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q, ReservationId = id },
                6 => new ReservationCommitted { SourceSystem = "web", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q, ReservationId = id, OrderId = id },
                7 => new FulfillmentShipped { SourceSystem = "oms", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q, OrderId = id },
                8 => new TransferShipped { SourceSystem = "erp", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q, TransferId = id, DestinationLocationId = other },
                9 => new TransferReceived { SourceSystem = "erp", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q, TransferId = id, OriginLocationId = other },
                10 => new QuarantineDispositioned { SourceSystem = "dc", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = q, Disposition = (QuarantineDisposition)random.Next(4) },
                11 => new InventoryAdjusted { SourceSystem = "erp", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = random.Next(2) == 0 ? q : -q, ReasonCode = "SHRINK", Bucket = random.Next(3) switch { 0 => InventoryBucket.OnHand, 1 => InventoryBucket.Damaged, _ => InventoryBucket.SafetyStock } },
                _ => new StockCounted { SourceSystem = "erp", SourceMessageId = id, OccurredAt = at, Sku = sku, LocationId = location, Quantity = random.Next(0, 30) },
            };
            list.Add(movement);
        }

        return list;
    }
}

/// <summary>The database ledger on PostgreSQL.</summary>
public sealed class LedgerWriterOnPostgreSqlTests(ITestOutputHelper output) : LedgerWriterTests(DatabaseProvider.PostgreSql, output);

/// <summary>The database ledger on SQLite.</summary>
public sealed class LedgerWriterOnSqliteTests(ITestOutputHelper output) : LedgerWriterTests(DatabaseProvider.Sqlite, output);
