using System.Data.Common;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Sagas;
using StockSync.Persistence;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Operations;
using StockSync.Sagas;
using StockSync.Sagas.ClickAndCollect;
using StockSync.Sagas.MarketplaceIntake;
using StockSync.Sagas.OrderFulfillment;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Persistence;

/// <summary>
/// The operators' SQL views, once per database: the migrations ship them, and over a saga table they list instances
/// by state, instances stuck past their threshold (final ones never), pending deadlines, and due deadlines with
/// whether the sweeper has fired them.
/// </summary>
public abstract class OperatorViewsTests(DatabaseProvider provider, ITestOutputHelper output)
{
    [Fact]
    public async Task The_migrations_ship_every_operator_view()
    {
        await using var ledger = await LedgerServices.StartAsync(provider);
        output.WriteLine($"Running against {ledger.Database.Description}");
        await ledger.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<StockSyncDbContext>();
            foreach (var view in new[] { "ops_saga_instances", "ops_sagas_by_state", "ops_sagas_stuck", "ops_deadlines", "ops_deadlines_due", "ops_outbox_backlog", "ops_pickups_waiting", "ops_marketplace_acknowledgements" })
            {
                Assert.Empty(await QueryAsync(db, $"SELECT * FROM {view}"));
            }

            return 0;
        });
    }

    /// <summary>The README's query for "all pickups waiting longer than 48 h", verbatim.</summary>
    public const string PickupsWaitingLongerThan48Hours =
        "SELECT order_id, store_id, ready_at, seconds_waiting FROM ops_pickups_waiting WHERE seconds_waiting > 48 * 3600 ORDER BY seconds_waiting DESC";

    [Fact]
    public async Task The_order_sagas_appear_in_the_views_and_pickups_waiting_over_48_hours_are_one_query_away()
    {
        await using var ledger = await LedgerServices.StartAsync(provider);
        output.WriteLine($"Running against {ledger.Database.Description}");
        await ledger.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<StockSyncDbContext>();
            var now = DateTime.UtcNow;
            ClickAndCollectState Pickup(string orderId, double hoursReady) => new()
            {
                CorrelationId = OrderIds.CorrelationIdFor(orderId),
                OrderId = orderId,
                StoreId = "STORE-7",
                RequestedStoreId = "STORE-7",
                CurrentState = "ReadyForPickup",
                ReadyAt = Truncate(now.AddHours(-hoursReady)),
                PickupWindowEndsAt = Truncate(now.AddHours(72 - hoursReady)),
            };
            db.AddRange(Pickup("CC-WAITING-50H", 50), Pickup("CC-WAITING-60H", 60), Pickup("CC-WAITING-2H", 2));
            db.Add(new OrderFulfillmentState { CorrelationId = OrderIds.CorrelationIdFor("SO-1"), OrderId = "SO-1", CurrentState = "Fulfilling" });
            await db.SaveChangesAsync();

            var waiting = await QueryAsync(db, PickupsWaitingLongerThan48Hours);
            Assert.Equal(["CC-WAITING-60H", "CC-WAITING-50H"], waiting.Select(r => (string)r["order_id"]!));
            Assert.InRange(Convert.ToInt64(waiting[1]["seconds_waiting"], System.Globalization.CultureInfo.InvariantCulture), (50 * 3600) - 60, (50 * 3600) + 60);

            var byState = await QueryAsync(db, "SELECT saga, current_state, instances FROM ops_sagas_by_state ORDER BY saga");
            Assert.Equal(
                ["click_and_collect_sagas/ReadyForPickup=3", "order_fulfillment_sagas/Fulfilling=1"],
                byState.Select(r => $"{r["saga"]}/{r["current_state"]}={Convert.ToInt32(r["instances"], System.Globalization.CultureInfo.InvariantCulture)}"));
            var deadlines = await QueryAsync(db, "SELECT deadline FROM ops_deadlines WHERE saga = 'click_and_collect_sagas'");
            Assert.Equal(3, deadlines.Count(r => (string)r["deadline"]! == "PickupWindowEndsAt"));
            return 0;
        });
    }

    [Fact]
    public async Task Marketplace_orders_due_in_the_next_30_minutes_and_past_their_deadline_are_one_query_each()
    {
        await using var ledger = await LedgerServices.StartAsync(provider);
        output.WriteLine($"Running against {ledger.Database.Description}");
        await ledger.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<StockSyncDbContext>();
            var now = DateTime.UtcNow;
            MarketplaceOrderState Order(string id, string state, double minutesToDeadline, bool pending) => new()
            {
                CorrelationId = OrderIds.MarketplaceCorrelationIdFor("walmart", id),
                Marketplace = "walmart",
                MarketplaceOrderId = id,
                OrderId = OrderIds.MarketplaceOrderId("walmart", id),
                CurrentState = state,
                OrderedAt = Truncate(now.AddHours(-1)),
                AcknowledgeBy = Truncate(now.AddMinutes(minutesToDeadline)),
                AcknowledgementDueAt = pending ? Truncate(now.AddMinutes(minutesToDeadline)) : null,
                Attempts = 2,
                LastError = "Attempt 2: HTTP 503",
            };
            db.AddRange(
                Order("PO-DUE-10M", "AwaitingAcknowledgement", 10, pending: true),
                Order("PO-DUE-25M", "AwaitingAcknowledgement", 25, pending: true),
                Order("PO-DUE-2H", "AwaitingAcknowledgement", 120, pending: true),
                Order("PO-MISSED", "AcknowledgementOverdue", -5, pending: false),
                Order("PO-DONE-SOON", "HandedOver", 10, pending: false));
            await db.SaveChangesAsync();

            var dueSoon = await QueryAsync(db, StockSync.IntegrationTests.Orders.MarketplaceIntakeOverHttpTests.DueInTheNext30Minutes);
            Assert.Equal(["PO-DUE-10M", "PO-DUE-25M"], dueSoon.Select(r => (string)r["marketplace_order_id"]));
            Assert.InRange(Convert.ToInt64(dueSoon[0]["seconds_until_due"], System.Globalization.CultureInfo.InvariantCulture), (10 * 60) - 60, 10 * 60);
            var missed = Assert.Single(await QueryAsync(db, StockSync.IntegrationTests.Orders.MarketplaceIntakeOverHttpTests.PastTheDeadline));
            Assert.Equal("PO-MISSED", missed["marketplace_order_id"]);
            var deadlines = await QueryAsync(db, "SELECT deadline FROM ops_deadlines WHERE saga = 'marketplace_order_sagas'");
            Assert.Equal(3, deadlines.Count(r => (string)r["deadline"] == nameof(MarketplaceOrderState.AcknowledgementDueAt)));
            return 0;
        });
    }

    [Fact]
    public async Task Over_a_saga_table_the_views_show_states_stuck_instances_and_due_deadlines()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        output.WriteLine($"Running against {database.Description}");
        await using var services = TestServices.ForDatabase(database, new CounterStateMap()).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        await db.Database.EnsureCreatedAsync();
        foreach (var statement in OperatorViews.CreateStatements(db.Database.ProviderName!, [new SagaViewSource("test_counters", nameof(CounterState.ExpiresAt))]))
        {
            await db.Database.ExecuteSqlRawAsync(statement);
        }

        var now = DateTime.UtcNow;
        var idle = Saga("Counting", expiresAt: Truncate(now.AddMinutes(-10)));
        var alsoIdle = Saga("Counting", expiresAt: null);
        var busy = Saga("Counting", expiresAt: Truncate(now.AddHours(1)));
        var done = Saga("Final", expiresAt: null);
        db.AddRange(idle, alsoIdle, busy, done);
        db.OpsStuckThresholds.Add(new OpsStuckThresholdRecord { Saga = "test_counters", CurrentState = "*", StuckAfterSeconds = 3600 });
        await db.SaveChangesAsync();
        // Two hours without a change for all but one (the save stamps updated_at; the past is set directly).
        var old = now.AddHours(-2);
        var quiet = new[] { idle.CorrelationId, alsoIdle.CorrelationId, done.CorrelationId };
        await db.Set<CounterState>().Where(s => quiet.Contains(s.CorrelationId)).ExecuteUpdateAsync(u => u.SetProperty(s => s.UpdatedAt, old));

        var byState = await QueryAsync(db, "SELECT current_state, instances FROM ops_sagas_by_state WHERE saga = 'test_counters' ORDER BY current_state");
        Assert.Equal(["Counting=3", "Final=1"], byState.Select(r => $"{r["current_state"]}={Convert.ToInt32(r["instances"], System.Globalization.CultureInfo.InvariantCulture)}"));

        var stuck = await QueryAsync(db, "SELECT correlation_id, seconds_in_state, stuck_after_seconds FROM ops_sagas_stuck");
        Assert.Equal(new[] { idle.CorrelationId, alsoIdle.CorrelationId }.Order(), stuck.Select(r => ToGuid(r["correlation_id"])).Order());
        Assert.All(stuck, r => Assert.InRange(Convert.ToInt64(r["seconds_in_state"], System.Globalization.CultureInfo.InvariantCulture), 7100, 7300));

        // A tighter threshold for one state wins over the saga's default.
        db.OpsStuckThresholds.Add(new OpsStuckThresholdRecord { Saga = "test_counters", CurrentState = "Counting", StuckAfterSeconds = 8000 });
        await db.SaveChangesAsync();
        Assert.Empty(await QueryAsync(db, "SELECT correlation_id FROM ops_sagas_stuck"));

        var deadlines = await QueryAsync(db, "SELECT correlation_id, deadline, seconds_overdue FROM ops_deadlines ORDER BY seconds_overdue");
        Assert.Equal([busy.CorrelationId, idle.CorrelationId], deadlines.Select(r => ToGuid(r["correlation_id"])));
        Assert.All(deadlines, r => Assert.Equal(nameof(CounterState.ExpiresAt), r["deadline"]));

        var due = Assert.Single(await QueryAsync(db, "SELECT correlation_id, seconds_overdue, fired_at FROM ops_deadlines_due"));
        Assert.Equal(idle.CorrelationId, ToGuid(due["correlation_id"]));
        Assert.InRange(Convert.ToInt64(due["seconds_overdue"], System.Globalization.CultureInfo.InvariantCulture), 590, 700);
        Assert.Equal(DBNull.Value, due["fired_at"]);

        db.DeadlineClaims.Add(new DeadlineClaimRecord
        {
            Saga = "test_counters",
            CorrelationId = idle.CorrelationId,
            Deadline = nameof(CounterState.ExpiresAt),
            DueAt = idle.ExpiresAt!.Value,
            ClaimedBy = "sweeper-1",
            ClaimedAt = now,
            MessageId = NewId.NextGuid(),
        });
        await db.SaveChangesAsync();
        var fired = Assert.Single(await QueryAsync(db, "SELECT fired_by FROM ops_deadlines_due"));
        Assert.Equal("sweeper-1", fired["fired_by"]);
    }

    private static CounterState Saga(string state, DateTime? expiresAt) => new()
    {
        CorrelationId = NewId.NextGuid(),
        OrderId = Movements.NewId("ORD"),
        CurrentState = state,
        Count = 1,
        ExpiresAt = expiresAt,
    };

    private static DateTime Truncate(DateTime value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private static Guid ToGuid(object value) => value is Guid guid ? guid : Guid.Parse((string)value);

    /// <summary>Reads a view the way an operator's SQL client would: plain SQL, columns by name.</summary>
    private static async Task<List<Dictionary<string, object>>> QueryAsync(StockSyncDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync();
        }

        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object>>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue, StringComparer.OrdinalIgnoreCase));
        }

        return rows;
    }
}

/// <summary>The operators' views on PostgreSQL.</summary>
public sealed class OperatorViewsOnPostgreSqlTests(ITestOutputHelper output) : OperatorViewsTests(DatabaseProvider.PostgreSql, output);

/// <summary>The operators' views on SQLite.</summary>
public sealed class OperatorViewsOnSqliteTests(ITestOutputHelper output) : OperatorViewsTests(DatabaseProvider.Sqlite, output);
