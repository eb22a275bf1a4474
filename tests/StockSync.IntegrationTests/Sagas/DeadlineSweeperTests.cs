using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using StockSync.Persistence.Deadlines;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Outbox;
using StockSync.Persistence.Telemetry;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Sagas;

/// <summary>
/// The deadline sweeper on each database: replicas racing over the same due deadlines publish each one exactly once
/// (claim row and outbox row in one transaction), deadlines not yet due are left alone, a claimed deadline is not
/// published again, and a moved deadline fires again.
/// </summary>
public abstract class DeadlineSweeperTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTime Now = DateTime.UtcNow;
    private readonly ConcurrentBag<CounterExpired> _published = [];
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        output.WriteLine($"Running against {_database.Description}");
        _services = TestServices.ForDatabase(_database, new CounterStateMap())
            .AddMassTransit(x =>
            {
                x.AddStockSyncEntityFrameworkOutbox();
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            })
            .BuildServiceProvider();
        await using (var scope = _services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Database.EnsureCreatedAsync();
        }

        var bus = _services.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        var handle = bus.ConnectReceiveEndpoint(e => e.Handler<CounterExpired>(ctx =>
        {
            _published.Add(ctx.Message);
            return Task.CompletedTask;
        }));
        await handle.Ready;
    }

    public async Task DisposeAsync()
    {
        await _services.GetRequiredService<IBusControl>().StopAsync();
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Two_sweepers_racing_publish_each_due_deadline_once()
    {
        var due = await SeedAsync(count: 60, expiresAt: Now.AddMinutes(-5));
        await SeedAsync(count: 20, expiresAt: Now.AddHours(1));
        using var metrics = new MeterRecorder(_services.GetRequiredService<StockSyncMetrics>().Meter);
        var first = Sweeper();
        var second = Sweeper();

        var rounds = await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => new[] { first.SweepOnceAsync(default), second.SweepOnceAsync(default) }));

        output.WriteLine($"published per sweep: {string.Join(", ", rounds)}");
        Assert.Equal(due.Count, rounds.Sum());
        // Each missed deadline is counted once, by the sweeper that published it, under the deadline's name.
        Assert.Equal(due.Count, metrics.Sum(StockSyncTelemetry.Instruments.DeadlinesMissed, (StockSyncTelemetry.Tags.Deadline, "test_counters.ExpiresAt")));
        await WaitForPublishedAsync(due.Count);
        Assert.Equal(due.OrderBy(id => id), _published.Select(e => e.CorrelationId).Order());
        Assert.Equal(0, await Sweeper().SweepOnceAsync(default));
    }

    [Fact]
    public async Task A_claimed_deadline_is_not_published_again_but_a_moved_one_fires_again()
    {
        var due = await SeedAsync(count: 1, expiresAt: Now.AddMinutes(-5));
        Assert.Equal(1, await Sweeper().SweepOnceAsync(default));
        Assert.Equal(0, await Sweeper().SweepOnceAsync(default));

        DeadlineClaimRecord claim;
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            claim = await db.DeadlineClaims.SingleAsync();
            // The claim names the outbox row that carries the event, in the same database.
            Assert.True(await db.OutboxMessages.AnyAsync(m => m.MessageId == claim.MessageId));
            var saga = await db.Set<CounterState>().SingleAsync();
            saga.ExpiresAt = Truncate(Now.AddMinutes(-1));
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await Sweeper().SweepOnceAsync(default));
        await WaitForPublishedAsync(2);
        Assert.Equal([Truncate(Now.AddMinutes(-5)), Truncate(Now.AddMinutes(-1))], _published.Select(e => e.DueAt).Order());
        Assert.All(_published, e => Assert.Equal(due[0], e.CorrelationId));
    }

    [Fact]
    public async Task A_sweep_that_fails_to_save_leaves_neither_claim_nor_message()
    {
        await SeedAsync(count: 1, expiresAt: Now.AddMinutes(-5));
        var failing = new DeadlineSweeper(
            _services.GetRequiredService<IServiceScopeFactory>(),
            [new DeadlineSweep<CounterState, CounterExpired>("test_counters", s => s.ExpiresAt, (_, _) => throw new InvalidOperationException("event factory failed"))],
            Options.Create(new DeadlineSweeperOptions { BatchSize = 500 }),
            TimeProvider.System,
            _services.GetRequiredService<StockSyncMetrics>(),
            NullLogger<DeadlineSweeper>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.SweepOnceAsync(default));

        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            Assert.Equal(0, await db.DeadlineClaims.CountAsync());
            Assert.Equal(0, await db.OutboxMessages.CountAsync());
        }

        Assert.Equal(1, await Sweeper().SweepOnceAsync(default));
        await WaitForPublishedAsync(1);
        Assert.Single(_published);
    }

    private DeadlineSweeper Sweeper() => new(
        _services.GetRequiredService<IServiceScopeFactory>(),
        [new DeadlineSweep<CounterState, CounterExpired>("test_counters", s => s.ExpiresAt, (s, dueAt) => new CounterExpired(s.CorrelationId, dueAt))],
        Options.Create(new DeadlineSweeperOptions { BatchSize = 500 }),
        TimeProvider.System,
        _services.GetRequiredService<StockSyncMetrics>(),
        NullLogger<DeadlineSweeper>.Instance);

    private async Task<List<Guid>> SeedAsync(int count, DateTime expiresAt)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var sagas = Enumerable.Range(0, count).Select(_ => new CounterState
        {
            CorrelationId = NewId.NextGuid(),
            OrderId = Movements.NewId("ORD"),
            CurrentState = "Counting",
            ExpiresAt = Truncate(expiresAt),
        }).ToList();
        db.AddRange(sagas);
        await db.SaveChangesAsync();
        return [.. sagas.Select(s => s.CorrelationId)];
    }

    private static DateTime Truncate(DateTime value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    /// <summary>Runs the outbox dispatcher (no host runs it here) until the events arrive.</summary>
    private async Task WaitForPublishedAsync(int count)
    {
        var dispatcher = _services.GetRequiredService<OutboxDispatcher>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_published.Count < count && DateTime.UtcNow < deadline)
        {
            await dispatcher.DispatchOnceAsync(default);
            await Task.Delay(20);
        }

        await dispatcher.DispatchOnceAsync(default);
        await Task.Delay(200); // and nothing more arrives
    }
}

/// <summary>The sweeper on PostgreSQL.</summary>
public sealed class DeadlineSweeperOnPostgreSqlTests(ITestOutputHelper output) : DeadlineSweeperTests(DatabaseProvider.PostgreSql, output);

/// <summary>The sweeper on SQLite.</summary>
public sealed class DeadlineSweeperOnSqliteTests(ITestOutputHelper output) : DeadlineSweeperTests(DatabaseProvider.Sqlite, output);
