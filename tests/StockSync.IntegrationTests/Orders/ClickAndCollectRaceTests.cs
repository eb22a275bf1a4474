using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// Two customers press "reserve for pickup" for the last unit at one store at the same moment, 200 times in a row on
/// one position (the unit is restocked after every round). Every round exactly one order is Reserved and the other is
/// Rejected with the store that still has the SKU as an alternative; the store never reserves more than it has.
/// </summary>
public sealed class ClickAndCollectRaceTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const int Rounds = 200;
    private const string Sku = "SKU-LAST-UNIT";
    private const string Store = "STORE-RACE";
    private const string Neighbour = "STORE-NEIGHBOUR";
    private const string EmptyStore = "STORE-EMPTY";

    [Fact]
    public async Task Two_customers_racing_for_the_last_unit_give_one_reservation_and_one_rejection_with_alternatives_every_round()
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Store, new { name = "Race store", kind = "Store", latitude = 51.5136, longitude = -0.0890 });
        await PutLocationAsync(Neighbour, new { name = "Neighbour", kind = "Store", latitude = 51.4816, longitude = -0.1906 });
        await PutLocationAsync(EmptyStore, new { name = "Empty", kind = "Store", latitude = 51.5140, longitude = -0.0900 });
        await ReceiveAsync((Sku, Store, 1), (Sku, Neighbour, 3));

        var total = Stopwatch.StartNew();
        var racing = TimeSpan.Zero;
        var restocking = TimeSpan.Zero;
        var slowest = TimeSpan.Zero;
        var winsOfFirst = 0;
        for (var round = 1; round <= Rounds; round++)
        {
            if (round > 1)
            {
                var restock = Stopwatch.StartNew();
                await ReceiveAsync((Sku, Store, 1));
                restocking += restock.Elapsed;
            }

            var before = await BucketsAsync(Sku, Store);
            Assert.True(before == new Buckets(round, round - 1, 0, 1), $"round {round} starts with one unit to sell, not [{before}]");

            var a = $"CC-{Run}-R{round:000}-A";
            var b = $"CC-{Run}-R{round:000}-B";
            var race = Stopwatch.StartNew();
            using var start = new SemaphoreSlim(0, 2);
            var first = ReserveWhenStartedAsync(start, a);
            var second = ReserveWhenStartedAsync(start, b);
            start.Release(2);
            var views = await Task.WhenAll(first, second);
            race.Stop();
            racing += race.Elapsed;
            slowest = race.Elapsed > slowest ? race.Elapsed : slowest;

            var states = views.Select(State).ToList();
            Assert.True(
                states.Count(s => s == "Reserved") == 1 && states.Count(s => s == "Rejected") == 1,
                $"round {round}: expected one Reserved and one Rejected, got {string.Join(" and ", views.Select(Json))}");
            winsOfFirst += states[0] == "Reserved" ? 1 : 0;

            var loser = views.Single(v => State(v) == "Rejected");
            var alternatives = loser["alternatives"]!.AsArray();
            var offered = alternatives.Select(x => x!["storeId"]!.GetValue<string>()).ToList();
            Assert.True(offered.SequenceEqual([Neighbour]), $"round {round}: the rejection should offer {Neighbour} only, got {Json(alternatives)}");
            Assert.Equal(3, alternatives[0]!["available"]!.AsArray().Single()!["quantity"]!.GetValue<int>());
            Assert.NotNull(alternatives[0]!["distanceKm"]);
            Assert.Contains("only 0 available to sell", loser["reason"]!.GetValue<string>(), StringComparison.Ordinal);

            var after = await BucketsAsync(Sku, Store);
            Assert.True(after == new Buckets(round, round, 0, 0), $"round {round}: after the race the store should hold every unit reserved, not [{after}]");
        }

        total.Stop();
        Log($"{Rounds} races in {total.Elapsed.TotalSeconds:0.0} s: racing {racing.TotalSeconds:0.0} s " +
            $"(mean {racing.TotalMilliseconds / Rounds:0} ms, slowest {slowest.TotalMilliseconds:0} ms), restocking {restocking.TotalSeconds:0.0} s; " +
            $"the first request won {winsOfFirst} times, the second {Rounds - winsOfFirst} times");

        // No oversell anywhere: on the raw buckets, nothing is promised beyond what is on hand.
        var inventory = await GetJsonAsync($"/inventory/{Sku}");
        foreach (var location in inventory["locations"]!.AsArray())
        {
            var held = Number(location!, "reserved") + Number(location!, "allocated") + Number(location!, "damaged") + Number(location!, "quarantine") + Number(location!, "safetyStock");
            Assert.True(Number(location!, "reserved") <= Number(location!, "onHand"), $"Reserved above OnHand: {Json(location)}");
            Assert.True(Number(location!, "onHand") - held >= 0, $"Negative ATS on the raw buckets: {Json(location)}");
        }

        // The same on every row of the positions table (whatever the API shows).
        var oversold = await Host.QueryAsync(async sp => (await sp.GetRequiredService<StockSyncDbContext>().Positions.AsNoTracking().ToListAsync())
            .Where(p => p.Reserved > p.OnHand || p.OnHand - p.Reserved - p.Allocated - p.Damaged - p.Quarantine - p.SafetyStock < 0)
            .Select(p => $"{p.Sku}@{p.LocationId}: onHand {p.OnHand}, reserved {p.Reserved}, allocated {p.Allocated}")
            .ToList());
        Assert.Empty(oversold);

        await AssertBucketsAsync("after every race", Sku, Store, onHand: Rounds, reserved: Rounds, allocated: 0, availableToSell: 0);
        await AssertBucketsAsync("after every race", Sku, Neighbour, onHand: 3, reserved: 0, allocated: 0, availableToSell: 3);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();

        // The ledger holds one reservation per round, and the saga table one winner and one loser per round.
        var reservations = await Host.QueryAsync(async sp => await sp.GetRequiredService<StockSyncDbContext>().LedgerEntries
            .CountAsync(e => e.Sku == Sku && e.LocationId == Store && e.MovementType == "StockReserved"));
        Assert.Equal(Rounds, reservations);
        var sagas = await Host.QueryAsync(async sp => await sp.GetRequiredService<StockSyncDbContext>().Set<StockSync.Sagas.ClickAndCollect.ClickAndCollectState>()
            .GroupBy(s => s.CurrentState).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync());
        Assert.Equal([("Rejected", Rounds), ("Reserved", Rounds)], sagas.OrderBy(s => s.State, StringComparer.Ordinal).Select(s => (s.State, s.Count)));
    }

    private async Task<JsonObject> ReserveWhenStartedAsync(SemaphoreSlim start, string orderId)
    {
        await start.WaitAsync();
        var response = await Http.PostAsJsonAsync(
            "/click-and-collect?wait=10",
            new { orderId, storeId = Store, lines = new[] { new { sku = Sku, quantity = 1 } } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"reserve {orderId}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
