using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Deadlines;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Sagas;
using StockSync.Persistence.Sqlite;

namespace StockSync.Sagas.Tests;

/// <summary>
/// MassTransit's test harness (in-memory transport) around the real order sagas: the StockSync saga repository, inbox
/// and outbox over a migrated SQLite database of its own, the real ledger writer, and the deadline sweeper on a
/// <see cref="FakeTimeProvider"/>: <see cref="AdvanceAsync"/> moves the clock and sweeps, so expiry paths run without
/// waiting for real time.
/// </summary>
public sealed class SagaHarness : IAsyncDisposable
{
    /// <summary>Where the fake clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A cancelled token: the harness's message lists then return what they hold without waiting for more.</summary>
    private static readonly CancellationToken NoWait = new(canceled: true);

    private readonly string _path;

    private SagaHarness(ServiceProvider services, FakeTimeProvider clock, string path)
    {
        Services = services;
        Clock = clock;
        _path = path;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; }

    public ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    /// <summary>
    /// Starts a harness; <paramref name="settings"/> override configuration (for example <c>Orders:PickupHold</c>), and
    /// <paramref name="configure"/> adds or replaces services after the order flows' own (for example an
    /// <c>ISourcingStrategy</c>).
    /// </summary>
    public static async Task<SagaHarness> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"stocksync-sagas-{Guid.NewGuid():N}.db");
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={path};Pooling=False",
            // The tests sweep by hand (AdvanceAsync), so every deadline event is the test's doing.
            ["Deadlines:SweeperEnabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var clock = new FakeTimeProvider(Start);
        var registrations = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddStockSyncDatabase(configuration, new SqliteProviderConfigurator())
            .AddStockSyncLedger(configuration)
            .AddStockSyncOrderFlows(configuration)
            .AddStockSyncDeadlines(configuration, [.. OrderFlowRegistration.DeadlineSweeps])
            .AddMassTransitTestHarness(x =>
            {
                // The cleanup is off: its periodic timer runs on the fake clock, so every AdvanceAsync would fire it
                // once per elapsed CleanupInterval (48 h = 2,880 ticks, seconds of real time) and delete inbox rows.
                x.AddStockSyncEntityFrameworkOutbox(o => o.UseBusOutbox().Options(s =>
                {
                    s.PollInterval = TimeSpan.FromMilliseconds(20);
                    s.CleanupEnabled = false;
                }));
                x.AddStockSyncOrderSagas();
                x.AddConsumer<OutboxRecorder>();
            });
        configure?.Invoke(registrations);
        var services = registrations.BuildServiceProvider(true);
        try
        {
            // What a host checks before it starts: options registered with ValidateOnStart (a bad setting fails here).
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }

        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Database.MigrateAsync();
        }

        var harness = new SagaHarness(services, clock, path);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>Adds a store (pickup; ships only when <paramref name="shipsToCustomers"/>) to the location master.</summary>
    public Task StoreAsync(string storeId, double? latitude = null, double? longitude = null, bool shipsToCustomers = false, int priority = 100) =>
        LocationAsync(storeId, "Store", new LocationFulfillment(latitude, longitude, priority, shipsToCustomers, OffersPickup: true));

    /// <summary>Adds a distribution centre (ships to customers, priority 10 unless given).</summary>
    public Task DistributionCenterAsync(string locationId, int priority = 10) =>
        LocationAsync(locationId, "DistributionCenter", new LocationFulfillment(SourcingPriority: priority));

    /// <summary>Receives <paramref name="quantity"/> units of <paramref name="sku"/> at a location (adding the SKU to the item master).</summary>
    public async Task ReceiveAsync(string sku, string locationId, int quantity)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalogService>().UpsertItemAsync(sku, null, default);
        var result = await scope.ServiceProvider.GetRequiredService<LedgerBatchWriter>().ApplyAsync(
            [new ReceiptPosted { SourceSystem = "erp", SourceMessageId = Guid.NewGuid().ToString("N"), OccurredAt = Clock.GetUtcNow(), Sku = sku, LocationId = locationId, Quantity = quantity }],
            default);
        Assert.Empty(result.Rejections);
    }

    /// <summary>Applies a movement through the ledger writer, as the ledger consumer would.</summary>
    public async Task ApplyAsync(StockMovement movement)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<LedgerBatchWriter>().ApplyAsync([movement], default);
        Assert.Empty(result.Rejections);
    }

    /// <summary>The position of a key, as the ledger holds it.</summary>
    public async Task<StockPosition> PositionAsync(string sku, string locationId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var row = await db.Positions.AsNoTracking().SingleOrDefaultAsync(p => p.Sku == sku && p.LocationId == locationId);
        return row?.ToDomain() ?? StockPosition.Empty;
    }

    /// <summary>Proves the positions are the sum of the ledger rows.</summary>
    public async Task AssertLedgerMatchesPositionsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var queries = new InventoryQueries(scope.ServiceProvider.GetRequiredService<StockSyncDbContext>(), scope.ServiceProvider.GetRequiredService<ChannelExposure>());
        Assert.Empty(await queries.FindProjectionMismatchesAsync(default));
    }

    /// <summary>Publishes a message into the bus, as a store, the storefront or the OMS would.</summary>
    public Task PublishAsync<T>(T message)
        where T : class => Harness.Bus.Publish(message);

    /// <summary>
    /// Reads the saga row of <paramref name="orderId"/>, or null. A marketplace intake is named by its canonical order id
    /// (<c>walmart:PO-1</c>: the marketplace, then its order id after the first colon).
    /// </summary>
    public async Task<TSaga?> SagaAsync<TSaga>(string orderId)
        where TSaga : StockSyncSagaState
    {
        await using var scope = Services.CreateAsyncScope();
        var id = CorrelationIdOf<TSaga>(orderId);
        return await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == id);
    }

    /// <summary>The correlation id of the <typeparamref name="TSaga"/> saga of <paramref name="orderId"/>, as its machine computes it.</summary>
    public static Guid CorrelationIdOf<TSaga>(string orderId)
        where TSaga : StockSyncSagaState
    {
        if (typeof(TSaga) == typeof(ReturnInspection.ReturnInspectionState))
        {
            return OrderIds.ReturnCorrelationIdFor(orderId);
        }

        if (typeof(TSaga) == typeof(MarketplaceIntake.MarketplaceOrderState))
        {
            var colon = orderId.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, $"A marketplace order is named {{marketplace}}:{{marketplaceOrderId}}, not '{orderId}'.");
            return OrderIds.MarketplaceCorrelationIdFor(orderId[..colon], orderId[(colon + 1)..]);
        }

        return OrderIds.CorrelationIdFor(orderId);
    }

    /// <summary>Waits (up to 20 s) until the saga of <paramref name="orderId"/> satisfies <paramref name="condition"/>, and returns it.</summary>
    public async Task<TSaga> WaitForAsync<TSaga>(string orderId, Func<TSaga, bool> condition, string? what = null)
        where TSaga : StockSyncSagaState
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        TSaga? saga;
        while (!((saga = await SagaAsync<TSaga>(orderId)) is { } s && condition(s)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Order {orderId} did not reach {what ?? "the expected state"}; it is {saga?.CurrentState ?? "missing"} ({saga?.GetType().GetProperty("Reason")?.GetValue(saga)}).");
            await Task.Delay(20);
        }

        return saga;
    }

    /// <summary>Waits until the saga of <paramref name="orderId"/> is in <paramref name="state"/>.</summary>
    public Task<TSaga> WaitForStateAsync<TSaga>(string orderId, string state)
        where TSaga : StockSyncSagaState => WaitForAsync<TSaga>(orderId, s => s.CurrentState == state, state);

    /// <summary>
    /// Waits (up to 20 s) until <typeparamref name="T"/> matching <paramref name="filter"/> was published by a saga and
    /// delivered (through the outbox and the transport to <see cref="OutboxRecorder"/>), and returns it.
    /// </summary>
    /// <remarks>
    /// It polls what was consumed so far rather than awaiting <c>Harness.Consumed.Any</c>: the harness stops waiting
    /// for good once the bus has been idle for its inactivity timeout (1.2 s), which a slow setup or a long
    /// <see cref="AdvanceAsync"/> easily exceeds, while the outbox delivers a moment after the saga's commit.
    /// </remarks>
    public async Task<T> PublishedAsync<T>(Func<T, bool> filter)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<T> found;
        while ((found = Delivered(filter)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"No {typeof(T).Name} matching the filter was delivered.");
            await Task.Delay(20);
        }

        return found[0];
    }

    /// <summary>Waits (up to 20 s) until the bus consumed <typeparamref name="T"/> matching <paramref name="filter"/> (by a saga or the recorder).</summary>
    public async Task ConsumedAsync<T>(Func<T, bool> filter)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Harness.Consumed.Select<T>(m => filter(m.Context.Message), NoWait).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, $"No {typeof(T).Name} matching the filter was consumed.");
            await Task.Delay(20);
        }
    }

    /// <summary>Every delivered <typeparamref name="T"/> matching <paramref name="filter"/> so far, in delivery order (no waiting).</summary>
    public IReadOnlyList<T> Delivered<T>(Func<T, bool> filter)
        where T : class => [.. Harness.Consumed.Select<T>(m => filter(m.Context.Message), NoWait).Select(m => m.Context.Message)];

    /// <summary>Moves the clock forward and runs one sweep of every deadline; returns how many deadline events it published.</summary>
    public async Task<int> AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return await Services.GetRequiredService<DeadlineSweeper>().SweepOnceAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await Services.DisposeAsync();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private async Task LocationAsync(string locationId, string kind, LocationFulfillment fulfillment)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalogService>().UpsertLocationAsync(locationId, $"{kind} {locationId}", kind, default, fulfillment);
    }
}

/// <summary>Receives what the sagas publish, so tests see it after it went through the outbox and the transport.</summary>
public sealed class OutboxRecorder :
    IConsumer<AvailabilityChanged>,
    IConsumer<Contracts.Orders.ClickAndCollectReserved>,
    IConsumer<Contracts.Orders.ClickAndCollectRejected>,
    IConsumer<Contracts.Orders.OrderStatusChanged>,
    IConsumer<Contracts.Orders.PickupReminderDue>,
    IConsumer<Contracts.Orders.FulfillmentRequested>,
    IConsumer<Contracts.Orders.FulfillmentCancelled>,
    IConsumer<Contracts.Orders.ErpPostingRequested>,
    IConsumer<Contracts.Orders.OrderCancellationProcessed>,
    IConsumer<Contracts.Orders.OrderEventRefused>,
    IConsumer<Contracts.Orders.RefundRequested>,
    IConsumer<Contracts.Orders.ReturnInspectionOverdue>,
    IConsumer<Contracts.Orders.AcknowledgeMarketplaceOrder>,
    IConsumer<Contracts.Orders.MarketplaceOrderAlert>
{
    public Task Consume(ConsumeContext<AvailabilityChanged> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.ClickAndCollectReserved> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.ClickAndCollectRejected> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.OrderStatusChanged> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.PickupReminderDue> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.FulfillmentRequested> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.FulfillmentCancelled> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.ErpPostingRequested> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.OrderCancellationProcessed> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.OrderEventRefused> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.RefundRequested> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.ReturnInspectionOverdue> context) => Task.CompletedTask;

    // In production the marketplace adapter consumes this; in the tests nothing answers it but the test itself.
    public Task Consume(ConsumeContext<Contracts.Orders.AcknowledgeMarketplaceOrder> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<Contracts.Orders.MarketplaceOrderAlert> context) => Task.CompletedTask;
}
