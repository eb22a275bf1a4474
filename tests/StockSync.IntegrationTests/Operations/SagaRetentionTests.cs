using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StockSync.IntegrationTests.Orders;
using StockSync.Persistence.Sagas;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations;

/// <summary>
/// Finished saga rows go after the retention period, live ones never, on a host on RabbitMQ and PostgreSQL: of four
/// click-and-collect orders, only the two finished ones aged past 90 days are deleted (with the deadline claim of the
/// released one); a reserved order as old is a stuck order, and stays.
/// </summary>
public sealed class SagaRetentionTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-RETAIN";
    private const string Store = "STORE-RETAIN";

    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>(base.HostSettings)
    {
        ["Orders:PickupHold"] = "00:00:02",
        ["Deadlines:SweepInterval"] = "00:00:00.500",
    };

    [Fact]
    public async Task Finished_orders_past_the_retention_period_are_deleted_and_live_ones_are_kept()
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Store, new { name = "Retention store", kind = "Store", latitude = 51.51, longitude = -0.09 });
        await ReceiveAsync((Sku, Store, 2));

        var released = $"CC-{Run}-RELEASED";
        var oldLive = $"CC-{Run}-OLD-LIVE";
        var rejected = $"CC-{Run}-REJECTED";
        var freshRejected = $"CC-{Run}-FRESH-REJECTED";
        await ViewAsync(await ReserveAsync(released, quantity: 1), "Reserved", released);
        await WaitForStateAsync($"/click-and-collect/{released}", "Released");
        await ViewAsync(await ReserveAsync(oldLive, quantity: 1), "Reserved", oldLive);
        await ViewAsync(await PostAsync($"/click-and-collect/{oldLive}/payment?wait=10"), "Picking", $"{oldLive} payment");
        await ViewAsync(await ReserveAsync(rejected, quantity: 5), "Rejected", rejected);
        await ViewAsync(await ReserveAsync(freshRejected, quantity: 5), "Rejected", freshRejected);

        await using var db = new NpgsqlConnection(Host.Database.ConnectionString);
        await db.OpenAsync();
        Assert.Equal(1, await ScalarAsync(db, $"SELECT COUNT(*) FROM deadline_claims c JOIN click_and_collect_sagas s ON s.correlation_id = c.correlation_id WHERE s.order_id = '{released}'"));
        foreach (var order in new[] { released, oldLive, rejected })
        {
            await using var age = new NpgsqlCommand("UPDATE click_and_collect_sagas SET created_at = created_at - interval '100 days', updated_at = updated_at - interval '100 days' WHERE order_id = @order", db);
            age.Parameters.AddWithValue("order", order);
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        var deleted = await Host.Services.GetRequiredService<SagaRetention>().DeleteOnceAsync(CancellationToken.None);
        Log($"deleted: {string.Join(", ", deleted.Select(d => $"{d.Key}={d.Value}"))}");
        Assert.Equal(2, deleted["click_and_collect_sagas"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/click-and-collect/{released}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/click-and-collect/{rejected}")).StatusCode);
        Assert.Equal("Picking", State(await GetJsonAsync($"/click-and-collect/{oldLive}")));
        Assert.Equal("Rejected", State(await GetJsonAsync($"/click-and-collect/{freshRejected}")));
        Assert.Equal(0, await ScalarAsync(db, "SELECT COUNT(*) FROM deadline_claims c WHERE NOT EXISTS (SELECT 1 FROM click_and_collect_sagas s WHERE s.correlation_id = c.correlation_id)"));

        // A second pass finds nothing more; the old live order is still what an operator sees as stuck.
        Assert.Equal(0, (await Host.Services.GetRequiredService<SagaRetention>().DeleteOnceAsync(CancellationToken.None))["click_and_collect_sagas"]);
        Assert.Contains(await QueryAsync(db, "SELECT current_state FROM ops_sagas_stuck WHERE saga = 'click_and_collect_sagas'"), r => (string)r["current_state"]! == "Picking");
        await AssertNothingFaultedAsync();
    }

    private Task<HttpResponseMessage> ReserveAsync(string orderId, int quantity) =>
        PostAsync("/click-and-collect?wait=10", new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity } } });

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
