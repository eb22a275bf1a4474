using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Sagas;
using StockSync.Persistence;
using StockSync.Persistence.Outbox;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Outbox;

/// <summary>A message with a place in a conversation, to check delivery order.</summary>
public sealed record Sequenced(string Conversation, int Index);

/// <summary>
/// A bus on real RabbitMQ (a vhost of its own) and a database of its own, with the StockSync inbox and outbox: the
/// counter saga behind the consumer outbox, the bus outbox for everything else, and listeners that record what the
/// broker delivered. The dispatcher is not started: tests run it (or two of them) explicitly.
/// </summary>
public sealed class OutboxBus : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly RabbitMqVirtualHost _vhost;
    private readonly TestDatabase _database;

    private OutboxBus(ServiceProvider services, RabbitMqVirtualHost vhost, TestDatabase database)
    {
        _services = services;
        _vhost = vhost;
        _database = database;
    }

    public IServiceProvider Services => _services;

    public RabbitMqVirtualHost VirtualHost => _vhost;

    /// <summary>Every <see cref="CounterChanged"/> the broker delivered, with its message id.</summary>
    public ConcurrentQueue<(Guid? MessageId, CounterChanged Message)> Changes { get; } = new();

    /// <summary>Every <see cref="Sequenced"/> message in the order the listener received it (one at a time).</summary>
    public ConcurrentQueue<(Guid? MessageId, Sequenced Message)> Sequence { get; } = new();

    public static async Task<OutboxBus> StartAsync(DatabaseProvider provider, ITestOutputHelper output)
    {
        var vhost = await RabbitMqVirtualHost.CreateAsync();
        var database = await TestDatabase.CreateAsync(provider);
        output.WriteLine($"Running against {vhost.Description}; {database.Description}");
        OutboxBus? self = null;
        var services = TestServices.ForDatabase(database, new CounterStateMap())
            .AddMassTransit(x =>
            {
                x.SetKebabCaseEndpointNameFormatter();
                x.AddStockSyncEntityFrameworkOutbox(o => o.UseBusOutbox().Options(s =>
                {
                    s.PollInterval = TimeSpan.FromMilliseconds(50);
                    s.SendTimeout = TimeSpan.FromSeconds(2);
                }));
                x.AddSagaStateMachine<CounterStateMachine, CounterState>().StockSyncEntityFrameworkRepository();
                x.AddConfigureEndpointsCallback((context, _, e) =>
                {
                    e.UseMessageRetry(r =>
                    {
                        r.Ignore<InvalidOperationException>();
                        r.Intervals(Enumerable.Range(1, 20).Select(i => TimeSpan.FromMilliseconds(10 * i)).ToArray());
                    });
                    e.UseStockSyncEntityFrameworkOutbox(context);
                });
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.UseTestBroker(vhost);
                    cfg.ReceiveEndpoint("test-counter-changes", e => e.Handler<CounterChanged>(ctx =>
                    {
                        self!.Changes.Enqueue((ctx.MessageId, ctx.Message));
                        return Task.CompletedTask;
                    }));
                    cfg.ReceiveEndpoint("test-sequence", e =>
                    {
                        e.PrefetchCount = 100;
                        e.ConcurrentMessageLimit = 1;
                        e.Handler<Sequenced>(ctx =>
                        {
                            self!.Sequence.Enqueue((ctx.MessageId, ctx.Message));
                            return Task.CompletedTask;
                        });
                    });
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider();
        self = new OutboxBus(services, vhost, database);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Database.EnsureCreatedAsync();
        }

        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await services.GetRequiredService<IBusControl>().StartAsync(started.Token);
        return self;
    }

    /// <summary>The dispatcher the outbox registration made (not started as a hosted service here).</summary>
    public OutboxDispatcher Dispatcher => _services.GetRequiredService<OutboxDispatcher>();

    /// <summary>Runs <paramref name="work"/> in a scope of its own, as an HTTP request or a hosted service would.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, StockSyncDbContext, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<StockSyncDbContext>());
    }

    /// <summary>Runs the dispatcher until the outbox holds no undelivered row.</summary>
    public async Task DrainAsync(params OutboxDispatcher[] dispatchers)
    {
        if (dispatchers.Length == 0)
        {
            dispatchers = [Dispatcher];
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await InScopeAsync((_, db) => db.OutboxMessages.AnyAsync(m => m.DeliveredAt == null)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The outbox did not drain in time.");
            await Task.WhenAll(dispatchers.Select(d => d.DispatchOnceAsync(default)));
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, running the dispatcher meanwhile.</summary>
    public async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Dispatcher.DispatchOnceAsync(default);
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<IBusControl>().StopAsync();
        await _services.DisposeAsync();
        await _database.DisposeAsync();
        await _vhost.DisposeAsync();
    }
}
