using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Erp;
using StockSync.Persistence.Sqlite;
using StockSync.Sagas;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>
/// The consumer behind the real ledger, in MassTransit's test harness (in-memory transport, the StockSync inbox and
/// outbox over SQLite): what the ledger applies is queued for the ERP, what it refuses is not, and repeats are one row.
/// </summary>
public sealed class ErpPostingConsumerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"stocksync-erp-consumer-{Guid.NewGuid():N}.db");
    private readonly IsolatedQueueObserver _isolated = new();
    private ServiceProvider _services = null!;

    private ITestHarness Harness => _services.GetRequiredService<ITestHarness>();

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={_path};Pooling=False",
            ["Erp:Postings:DispatcherEnabled"] = "false", // this test looks at the queue only
            ["Ledger:BatchTimeLimit"] = "00:00:00.010",
        }).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddStockSyncDatabase(configuration, new SqliteProviderConfigurator())
            .AddStockSyncSagaMaps([.. OrderFlowRegistration.SagaMaps])
            .AddStockSyncLedger(configuration)
            .AddStockSyncErpAdapter(configuration)
            .AddMassTransitTestHarness(x =>
            {
                x.AddStockSyncEntityFrameworkOutbox(o => o.UseBusOutbox().Options(s =>
                {
                    s.PollInterval = TimeSpan.FromMilliseconds(20);
                    s.CleanupEnabled = false;
                }));
                x.AddStockSyncLedgerConsumers();
                x.AddStockSyncErpConsumers();
            })
            .BuildServiceProvider(true);
        await using (var scope = _services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Database.MigrateAsync();
            var catalog = scope.ServiceProvider.GetRequiredService<CatalogService>();
            await catalog.UpsertItemAsync("SKU-1", null, default);
            await catalog.UpsertLocationAsync("STORE-1", null, "Store", default);
        }

        await Harness.Start();
        Harness.Bus.ConnectReceiveObserver(_isolated);
    }

    public async Task DisposeAsync()
    {
        await Harness.Stop();
        await _services.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Sales_returns_and_adjustments_the_ledger_applied_are_queued_in_order_and_a_refused_or_duplicate_movement_is_not()
    {
        await Harness.Bus.Publish(new ReceiptPosted { SourceSystem = "erp", SourceMessageId = "GRN-1", OccurredAt = At, Sku = "SKU-1", LocationId = "STORE-1", Quantity = 10 });
        await WaitForPostingsAsync(0);

        await Harness.Bus.Publish(Sale("T-1", "SKU-1"));
        await WaitForPostingsAsync(1);
        await Harness.Bus.Publish(new ReturnReceived { SourceSystem = "pos:store-1", SourceMessageId = "R-1", OccurredAt = At, Sku = "SKU-1", LocationId = "STORE-1", Quantity = 1, ReturnId = "RMA-1" });
        await WaitForPostingsAsync(2);
        await Harness.Bus.Publish(new InventoryAdjusted { SourceSystem = "pos:store-1", SourceMessageId = "A-1", OccurredAt = At, Sku = "SKU-1", LocationId = "STORE-1", Quantity = -2, ReasonCode = "SHRINK" });
        await Harness.Bus.Publish(new InventoryAdjusted { SourceSystem = "pos:store-1", SourceMessageId = "A-2", OccurredAt = At, Sku = "SKU-1", LocationId = "STORE-1", Quantity = 1, ReasonCode = "BUFFER", Bucket = InventoryBucket.SafetyStock });
        await WaitForPostingsAsync(3);

        // The ledger refuses a sale of an unknown SKU (it faults with its reason), and skips a re-sent sale: neither is posted.
        await Harness.Bus.Publish(Sale("T-2", "SKU-UNKNOWN"));
        await Eventually(() => Task.FromResult(_isolated.Finished > 0), "the refused sale to be tried alone and fault");
        await Harness.Bus.Publish(Sale("T-1", "SKU-1"));
        await Harness.Bus.Publish(Sale("T-3", "SKU-1"));
        await WaitForPostingsAsync(4);

        var rows = await RowsAsync();
        Assert.Equal(
            [("sale:pos:store-1:T-1", "Sale"), ("return:pos:store-1:R-1", "Return"), ("adjustment:pos:store-1:A-1", "Adjustment"), ("sale:pos:store-1:T-3", "Sale")],
            rows.Select(r => (r.PostingId, r.Kind)));
        Assert.All(rows, r => Assert.Equal(ErpPostingStatus.Pending, r.Status));
        Assert.Contains("\"reasonCode\":\"SHRINK\"", rows[2].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_posting_requested_twice_by_a_saga_is_queued_once()
    {
        var request = new ErpPostingRequested
        {
            PostingId = "shipment:O-1-S1",
            Kind = "Shipment",
            OrderId = "O-1",
            LocationId = "STORE-1",
            Lines = [new OrderLine { Sku = "SKU-1", Quantity = 2 }],
            OccurredAt = At,
        };

        await Harness.Bus.Publish(request);
        await Harness.Bus.Publish(request);
        await Harness.Bus.Publish(request with { PostingId = "shipment:O-1-S2" });

        await Eventually(async () => await Harness.Consumed.SelectAsync<ErpPostingRequested>().Count() == 3, "three requests consumed");
        Assert.Equal(["shipment:O-1-S1", "shipment:O-1-S2"], (await RowsAsync()).Select(r => r.PostingId));
    }

    private static SaleRecorded Sale(string id, string sku) =>
        new() { SourceSystem = "pos:store-1", SourceMessageId = id, OccurredAt = At, Sku = sku, LocationId = "STORE-1", Quantity = 1, TransactionId = id };

    /// <summary>
    /// Waits until <paramref name="count"/> postings are queued and the consumer has taken every
    /// <see cref="MovementsApplied"/> the ledger published, then asserts that no more were queued.
    /// </summary>
    private async Task WaitForPostingsAsync(int count)
    {
        await Eventually(
            async () => (await RowsAsync()).Count >= count
                && await LedgerEventsAsync() is var published && published > 0
                && await Harness.Consumed.SelectAsync<MovementsApplied>().Count() == published,
            $"{count} postings, and every MovementsApplied consumed");
        Assert.Equal(count, (await RowsAsync()).Count);
    }

    /// <summary>How many <see cref="MovementsApplied"/> the ledger stored in the outbox (all delivered, or the count is not final).</summary>
    private async Task<int> LedgerEventsAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.MessageType.Contains(nameof(MovementsApplied)))
            .Select(m => m.DeliveredAt)
            .ToListAsync();
        return events.All(d => d is not null) ? events.Count : -1;
    }

    private async Task<List<ErpPostingRecord>> RowsAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().ErpPostings.AsNoTracking().OrderBy(p => p.Sequence).ToListAsync();
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Counts the messages the ledger's isolated queue has finished with. (The harness's own consumed-message list keys
    /// messages by id, and a forwarded refusal keeps the id the batch consumer already recorded.)
    /// </summary>
    private sealed class IsolatedQueueObserver : IReceiveObserver
    {
        private int _finished;

        public int Finished => Volatile.Read(ref _finished);

        public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostReceive(ReceiveContext context) => Count(context);

        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
            where T : class => Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception) => Count(context);

        private Task Count(ReceiveContext context)
        {
            if (context.InputAddress.AbsolutePath.EndsWith("/" + LedgerOptions.IsolatedEndpointName, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _finished);
            }

            return Task.CompletedTask;
        }
    }
}
