using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Sagas;

/// <summary>
/// StockSync's EF Core saga repository on real RabbitMQ, once per database provider: concurrent events on one
/// instance all take effect (optimistic concurrency on the version column, retried), correlation by a business key,
/// racing first events make one row, and finalized rows are removed or kept as configured.
/// </summary>
public abstract class SagaRepositoryTests(DatabaseProvider provider, ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_concurrent_events_against_one_saga_instance_all_take_effect()
    {
        await using var bus = await CounterBus.StartAsync(provider, keepFinalized: false, output);
        var orderId = Movements.NewId("ORD");

        // The instance does not exist yet: the first of these events also race to insert it.
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => bus.Bus.Publish(new CounterBumped(orderId))));

        var saga = await bus.WaitForAsync(orderId, s => s?.Count == 50);
        Assert.Equal(50, saga!.Count);
        Assert.Equal(50, saga.Version);
        Assert.Equal("Counting", saga.CurrentState);
        output.WriteLine($"{bus.Retries} optimistic-concurrency conflicts were retried");
    }

    [Fact]
    public async Task A_finalized_instance_is_removed_by_default()
    {
        await using var bus = await CounterBus.StartAsync(provider, keepFinalized: false, output);
        var orderId = Movements.NewId("ORD");
        await bus.Bus.Publish(new CounterBumped(orderId));
        await bus.WaitForAsync(orderId, s => s is not null);

        await bus.Bus.Publish(new CounterClosed(orderId));

        Assert.Null(await bus.WaitForAsync(orderId, s => s is null));
    }

    [Fact]
    public async Task A_finalized_instance_is_kept_when_configured_and_reads_as_final_in_sql()
    {
        await using var bus = await CounterBus.StartAsync(provider, keepFinalized: true, output);
        var orderId = Movements.NewId("ORD");
        await bus.Bus.Publish(new CounterBumped(orderId));
        await bus.WaitForAsync(orderId, s => s is not null);

        await bus.Bus.Publish(new CounterClosed(orderId));

        var saga = await bus.WaitForAsync(orderId, s => s?.CurrentState == "Final");
        Assert.Equal(1, saga!.Count);
        Assert.True(saga.UpdatedAt >= saga.CreatedAt);
    }

    /// <summary>A bus with the counter saga on the StockSync repository, in its own vhost and database.</summary>
    private sealed class CounterBus : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly RabbitMqVirtualHost _vhost;
        private readonly TestDatabase _database;
        private int _retries;

        private CounterBus(ServiceProvider services, RabbitMqVirtualHost vhost, TestDatabase database)
        {
            _services = services;
            _vhost = vhost;
            _database = database;
        }

        public IBus Bus => _services.GetRequiredService<IBus>();

        public int Retries => _retries;

        public static async Task<CounterBus> StartAsync(DatabaseProvider provider, bool keepFinalized, ITestOutputHelper output)
        {
            var vhost = await RabbitMqVirtualHost.CreateAsync();
            var database = await TestDatabase.CreateAsync(provider);
            output.WriteLine($"Running against {vhost.Description}; {database.Description}");
            CounterBus? self = null;
            var services = TestServices.ForDatabase(database, new CounterStateMap())
                .AddMassTransit(x =>
                {
                    x.AddSagaStateMachine<CounterStateMachine, CounterState>().StockSyncEntityFrameworkRepository(r => r.KeepFinalizedInstances = keepFinalized);
                    x.AddConfigureEndpointsCallback((_, _, e) =>
                    {
                        e.ConcurrentMessageLimit = 16;
                        e.UseMessageRetry(r =>
                        {
                            r.Handle<DbUpdateException>(ex =>
                            {
                                Interlocked.Increment(ref self!._retries);
                                return true;
                            });
                            r.Intervals(Enumerable.Range(1, 30).Select(i => TimeSpan.FromMilliseconds(5 * i)).ToArray());
                        });
                    });
                    x.UsingRabbitMq((context, cfg) =>
                    {
                        cfg.UseTestBroker(vhost);
                        cfg.ConfigureEndpoints(context);
                    });
                })
                .BuildServiceProvider();
            self = new CounterBus(services, vhost, database);
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Database.EnsureCreatedAsync();
            }

            using var started = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await services.GetRequiredService<IBusControl>().StartAsync(started.Token);
            return self;
        }

        /// <summary>Polls the saga table (as an operator's query would) until the row for the order matches.</summary>
        public async Task<CounterState?> WaitForAsync(string orderId, Func<CounterState?, bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            CounterState? saga = null;
            while (DateTime.UtcNow < deadline)
            {
                await using var scope = _services.CreateAsyncScope();
                saga = await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Set<CounterState>()
                    .AsNoTracking().SingleOrDefaultAsync(s => s.OrderId == orderId);
                if (condition(saga))
                {
                    return saga;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"The saga for {orderId} did not reach the expected state; last: count {saga?.Count}, state {saga?.CurrentState}, version {saga?.Version}.");
        }

        public async ValueTask DisposeAsync()
        {
            await _services.GetRequiredService<IBusControl>().StopAsync();
            await _services.DisposeAsync();
            await _database.DisposeAsync();
            await _vhost.DisposeAsync();
        }
    }
}

/// <summary>The saga repository on RabbitMQ and PostgreSQL.</summary>
public sealed class SagaRepositoryOnPostgreSqlTests(ITestOutputHelper output) : SagaRepositoryTests(DatabaseProvider.PostgreSql, output);

/// <summary>The saga repository on RabbitMQ and SQLite.</summary>
public sealed class SagaRepositoryOnSqliteTests(ITestOutputHelper output) : SagaRepositoryTests(DatabaseProvider.Sqlite, output);
