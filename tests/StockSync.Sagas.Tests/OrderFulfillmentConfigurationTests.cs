using Microsoft.Extensions.DependencyInjection;
using StockSync.Sagas.Sourcing;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>What a host can change in split fulfillment: the short-pick write-off policy, and the sourcing strategy.</summary>
public sealed class OrderFulfillmentConfigurationTests
{
    private const string A = "SKU-A";
    private const string Dc1 = StandardDc1;
    private const string Dc2 = StandardDc2;
    private const string StoreA = StandardStoreA;

    [Fact]
    public async Task With_write_off_switched_off_a_short_pick_only_releases_the_allocation_and_never_goes_back_to_that_location()
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Orders:ShortPickWritesOffOnHand"] = "false" });
        await h.StandardLocationsAsync();
        await h.StockAsync((A, Dc1, 5), (A, Dc2, 5), (A, StoreA, 5));
        await h.PlaceAsync("O-6", (A, 2));
        await h.OrderInAsync("O-6", "Fulfilling");

        await h.ShortPickAsync("O-6", Dc1, null, (A, 2));

        // DC-1 is first by priority and has 5 available to sell again, but it short-picked SKU-A for this order.
        var once = await h.OrderWhenAsync("O-6", o => o.Shipments.Count == 2, "re-sourced once");
        Assert.Equal([("O-6-S1", Dc1, "Cancelled", ""), ("O-6-S2", Dc2, "Requested", "SKU-A×2")], ShipmentsOf(once));
        Assert.Equal((5, 0, 0, 5), await h.SkuBucketsAsync(A, Dc1));
        Assert.Equal([("AllocationReleased", "SHORT_PICK", 0, -2)], (await h.OrderLedgerAsync("O-6", A, Dc1)).Where(r => r.Reason == "SHORT_PICK"));

        await h.ShortPickAsync("O-6", Dc2, "O-6-S2", (A, 1));

        var twice = await h.OrderWhenAsync("O-6", o => o.Shipments.Count == 3, "re-sourced twice");
        Assert.Equal(("O-6-S3", StoreA, "Requested", "SKU-A×1"), ShipmentsOf(twice)[2]);
        Assert.Equal([Dc1, Dc2], twice.Line(A).ShortPickedAt);
        Assert.Equal((5, 0, 1, 4), await h.SkuBucketsAsync(A, Dc2));
        Assert.Equal((5, 0, 1, 4), await h.SkuBucketsAsync(A, StoreA));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_sourcing_strategy_registered_by_the_host_replaces_the_default()
    {
        var custom = new EverythingFrom(StoreA);
        await using var h = await SagaHarness.StartAsync(configure: s => s.AddSingleton<ISourcingStrategy>(custom));
        await h.StandardLocationsAsync();
        await h.StockAsync((A, Dc1, 10), (A, StoreA, 10));

        await h.PlaceAsync("O-18", (A, 2));

        // The default would take the DC (first by priority, and it has everything).
        var order = await h.OrderInAsync("O-18", "Fulfilling");
        Assert.Equal([("O-18-S1", StoreA, "Requested", "SKU-A×2")], ShipmentsOf(order));
        Assert.Equal(1, custom.Plans);
        Assert.Equal((10, 0, 0, 10), await h.SkuBucketsAsync(A, Dc1));
        Assert.Equal((10, 0, 2, 8), await h.SkuBucketsAsync(A, StoreA));
        await h.AssertLedgerMatchesPositionsAsync();
    }

    /// <summary>A host's own rule: every unit from one location.</summary>
    private sealed class EverythingFrom(string locationId) : ISourcingStrategy
    {
        private int _plans;

        public int Plans => _plans;

        public SourcingPlan Plan(SourcingRequest request)
        {
            Interlocked.Increment(ref _plans);
            return new SourcingPlan([.. request.Needed.Select(n => new SourcedUnits(locationId, n.Sku, n.Quantity))], []);
        }
    }
}
