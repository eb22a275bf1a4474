using StockSync.Sagas.Sourcing;

namespace StockSync.Sagas.Tests;

/// <summary>Great-circle distances between locations, and the pickup stores that could take an order, nearest first.</summary>
public sealed class NearestStoresTests
{
    private static readonly LocationStock London = Store("LONDON", 51.5074, -0.1278);
    private static readonly LocationStock Paris = Store("PARIS", 48.8566, 2.3522);
    private static readonly (string Sku, int Quantity)[] TwoOfA = [("SKU-A", 2)];

    [Fact]
    public void London_to_Paris_is_about_344_km_either_way()
    {
        var there = NearestStores.Distance(London, Paris);
        var back = NearestStores.Distance(Paris, London);

        Assert.NotNull(there);
        Assert.InRange(there.Value, 340, 348);
        Assert.Equal(there, back);
    }

    [Fact]
    public void A_store_is_no_distance_from_itself() => Assert.Equal(0, NearestStores.Distance(London, London));

    [Fact]
    public void Distances_hold_across_the_antimeridian_and_between_hemispheres()
    {
        // Fiji to Samoa (across 180°) and Quito to Nairobi (near the equator, a quarter of the way round).
        Assert.InRange(NearestStores.Distance(Store("SUVA", -18.1416, 178.4419), Store("APIA", -13.8333, -171.7500))!.Value, 1120, 1180);
        Assert.InRange(NearestStores.Distance(Store("QUITO", -0.1807, -78.4678), Store("NAIROBI", -1.2921, 36.8219))!.Value, 12700, 12900);
    }

    [Fact]
    public void There_is_no_distance_when_either_store_has_no_coordinates()
    {
        var unplaced = Store("NOWHERE", null, null);

        Assert.Null(NearestStores.Distance(London, unplaced));
        Assert.Null(NearestStores.Distance(unplaced, London));
        Assert.Null(NearestStores.Distance(null, London));
    }

    [Fact]
    public void Stores_that_can_take_the_order_come_nearest_first_and_those_without_coordinates_last_by_id()
    {
        var origin = Store("ORIGIN", 51.5074, -0.1278, ("SKU-A", 0));
        var stores = new[]
        {
            Store("PARIS", 48.8566, 2.3522, ("SKU-A", 2)),
            Store("Z-UNPLACED", null, null, ("SKU-A", 9)),
            Store("READING", 51.4543, -0.9781, ("SKU-A", 3)),
            Store("A-UNPLACED", null, null, ("SKU-A", 2)),
            Store("BRIGHTON", 50.8225, -0.1372, ("SKU-A", 5)),
            origin,
        };

        var nearest = NearestStores.WithAll(origin, stores, TwoOfA, new HashSet<string>());

        Assert.Equal(["READING", "BRIGHTON", "PARIS", "A-UNPLACED", "Z-UNPLACED"], nearest.Select(n => n.Store.LocationId));
        Assert.Equal([true, true, true, false, false], nearest.Select(n => n.DistanceKm.HasValue));
        Assert.InRange(nearest[0].DistanceKm!.Value, 55, 65);
    }

    [Fact]
    public void Only_pickup_stores_with_every_line_that_are_not_the_origin_or_excluded_are_named()
    {
        var origin = Store("ORIGIN", 51.5, -0.1, ("SKU-A", 5), ("SKU-B", 5));
        var lines = new[] { ("SKU-A", 2), ("SKU-B", 1) };
        var stores = new[]
        {
            origin,
            Store("SHORT-OF-B", 51.5, -0.2, ("SKU-A", 5)),
            Store("ONE-TOO-FEW", 51.5, -0.2, ("SKU-A", 1), ("SKU-B", 1)),
            Store("EXCLUDED", 51.5, -0.2, ("SKU-A", 5), ("SKU-B", 5)),
            Store("NO-PICKUP", 51.5, -0.2, ("SKU-A", 5), ("SKU-B", 5)) with { OffersPickup = false },
            Store("FITS", 52.0, -0.2, ("SKU-A", 2), ("SKU-B", 1)),
        };

        var nearest = NearestStores.WithAll(origin, stores, lines, new HashSet<string> { "EXCLUDED" });

        Assert.Equal(["FITS"], nearest.Select(n => n.Store.LocationId));
    }

    [Fact]
    public void Without_an_origin_every_candidate_has_no_distance_and_they_come_by_id()
    {
        var nearest = NearestStores.WithAll(null, [Store("B", 1, 1, ("SKU-A", 2)), Store("A", 2, 2, ("SKU-A", 2))], TwoOfA, new HashSet<string>());

        Assert.Equal(["A", "B"], nearest.Select(n => n.Store.LocationId));
        Assert.All(nearest, n => Assert.Null(n.DistanceKm));
    }

    private static LocationStock Store(string id, double? latitude, double? longitude, params (string Sku, int Available)[] stock) =>
        new(id, $"Store {id}", "Store", 100, ShipsToCustomers: false, OffersPickup: true, latitude, longitude,
            stock.ToDictionary(s => s.Sku, s => s.Available, StringComparer.Ordinal));
}
