using Npgsql;
using StockSync.Contracts.Orders;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// The operator's question "which pickups have been waiting longer than 48 hours?" answered in SQL on the real
/// PostgreSQL database of a running host, over orders placed and put ready through the HTTP API. One order is aged by
/// 50 hours in the database; the README's queries return exactly that order.
/// </summary>
public sealed class PickupsWaitingSqlTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    /// <summary>The README's query: portable (the view computes <c>seconds_waiting</c> per provider).</summary>
    public const string PickupsWaitingLongerThan48Hours =
        "SELECT order_id, store_id, ready_at, seconds_waiting FROM ops_pickups_waiting WHERE seconds_waiting > 48 * 3600 ORDER BY seconds_waiting DESC";

    /// <summary>The same question on the saga table itself (PostgreSQL syntax).</summary>
    public const string PickupsWaitingLongerThan48HoursOnTheTable =
        "SELECT order_id, store_id, ready_at, pickup_window_ends_at FROM click_and_collect_sagas WHERE current_state = 'ReadyForPickup' AND ready_at < now() - interval '48 hours' ORDER BY ready_at";

    /// <summary>The deadlines of those pickups: when the reminder is (or was) due and when the window closes.</summary>
    public const string DeadlinesOfWaitingPickups =
        "SELECT p.order_id, d.deadline, d.due_at, d.seconds_overdue FROM ops_deadlines d JOIN ops_pickups_waiting p ON p.correlation_id = d.correlation_id " +
        "WHERE d.saga = 'click_and_collect_sagas' AND p.seconds_waiting > 48 * 3600 ORDER BY p.order_id, d.due_at";

    private const string Sku = "SKU-PICKUP";
    private const string Store = "STORE-PICKUP";

    [Fact]
    public async Task Pickups_waiting_longer_than_48_hours_are_exactly_the_order_ready_50_hours_ago()
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Store, new { name = "Pickup store", kind = "Store", latitude = 51.51, longitude = -0.09 });
        await ReceiveAsync((Sku, Store, 10));
        var reminders = await SubscribeAsync<PickupReminderDue>();

        var waiting = $"CC-{Run}-WAITING-50H";
        var fresh = $"CC-{Run}-READY-NOW";
        var paidOnly = $"CC-{Run}-PICKING-OLD";
        await ReadyAsync(waiting);
        await ReadyAsync(fresh);
        await ViewAsync(await PostAsync("/click-and-collect?wait=10", new { orderId = paidOnly, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } }), "Reserved", $"{paidOnly} reserve");
        await ViewAsync(await PostAsync($"/click-and-collect/{paidOnly}/payment?wait=10"), "Picking", $"{paidOnly} payment");

        // Fifty hours pass for the waiting order (every timestamp of its row moves back), and for the one still being
        // picked (which is not waiting for pickup, however old).
        await using var db = new NpgsqlConnection(Host.Database.ConnectionString);
        await db.OpenAsync();
        const string Age = """
            UPDATE click_and_collect_sagas
               SET created_at = created_at - interval '50 hours',
                   updated_at = updated_at - interval '50 hours',
                   paid_at = paid_at - interval '50 hours',
                   ready_at = ready_at - interval '50 hours',
                   pickup_reminder_at = pickup_reminder_at - interval '50 hours',
                   pickup_window_ends_at = pickup_window_ends_at - interval '50 hours'
             WHERE order_id = @order
            """;
        foreach (var order in new[] { waiting, paidOnly })
        {
            await using var age = new NpgsqlCommand(Age, db);
            age.Parameters.AddWithValue("order", order);
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        var portable = await QueryAsync(db, PickupsWaitingLongerThan48Hours);
        Log($"{PickupsWaitingLongerThan48Hours}\n  -> {string.Join("; ", portable.Select(Describe))}");
        var row = Assert.Single(portable);
        Assert.Equal((waiting, Store), ((string)row["order_id"]!, (string)row["store_id"]!));
        Assert.InRange(Convert.ToInt64(row["seconds_waiting"], System.Globalization.CultureInfo.InvariantCulture), 50 * 3600 - 120, 50 * 3600 + 120);

        var onTable = await QueryAsync(db, PickupsWaitingLongerThan48HoursOnTheTable);
        Log($"{PickupsWaitingLongerThan48HoursOnTheTable}\n  -> {string.Join("; ", onTable.Select(Describe))}");
        Assert.Equal(waiting, (string)Assert.Single(onTable)["order_id"]!);

        // Its window closes in 22 hours (72 − 50); its 48-hour reminder was due 2 hours ago.
        var deadlines = await QueryAsync(db, DeadlinesOfWaitingPickups);
        Log($"{DeadlinesOfWaitingPickups}\n  -> {string.Join("; ", deadlines.Select(Describe))}");
        Assert.All(deadlines, d => Assert.Equal(waiting, (string)d["order_id"]!));
        var window = Assert.Single(deadlines, d => (string)d["deadline"]! == "PickupWindowEndsAt");
        Assert.InRange(Convert.ToInt64(window["seconds_overdue"], System.Globalization.CultureInfo.InvariantCulture), -22 * 3600 - 120, -22 * 3600 + 120);

        // The deadline sweeper sees the overdue reminder too: the customer is reminded once, the order keeps waiting,
        // and the operator's query still finds it.
        var reminder = await reminders.WaitForAsync(m => m.OrderId == waiting, $"for {waiting}");
        Log($"reminder sent: {reminder}");
        Assert.DoesNotContain(reminders.Messages, m => m.OrderId != waiting);
        await EventuallyAsync(
            async () => (await QueryAsync(db, $"SELECT deadline FROM ops_deadlines WHERE correlation_id = (SELECT correlation_id FROM click_and_collect_sagas WHERE order_id = '{waiting}')"))
                .Select(d => (string)d["deadline"]!).SequenceEqual(["PickupWindowEndsAt"]),
            () => $"the reminder of {waiting} to leave ops_deadlines");
        Assert.Equal("ReadyForPickup", State(await GetJsonAsync($"/click-and-collect/{waiting}")));
        Assert.Equal(waiting, (string)Assert.Single(await QueryAsync(db, PickupsWaitingLongerThan48Hours))["order_id"]!);
        Assert.Equal(waiting, (string)Assert.Single(await QueryAsync(db, PickupsWaitingLongerThan48HoursOnTheTable))["order_id"]!);
        await AssertNothingFaultedAsync();
    }

    private async Task ReadyAsync(string orderId)
    {
        var path = $"/click-and-collect/{orderId}";
        await ViewAsync(await PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } }), "Reserved", $"{orderId} reserve");
        await ViewAsync(await PostAsync($"{path}/payment?wait=10"), "Picking", $"{orderId} payment");
        await ViewAsync(await PostAsync($"{path}/ready?wait=10", new { storeId = Store }), "ReadyForPickup", $"{orderId} ready");
    }
}
