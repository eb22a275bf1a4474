namespace StockSync.Sagas.Sourcing;

/// <summary>
/// Finds pickup stores that have every line of an order available, nearest to a given store first (great-circle
/// distance when both have coordinates; stores without coordinates come after, by id).
/// </summary>
public static class NearestStores
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>The stores (other than <paramref name="origin"/> and <paramref name="excluded"/>) that can take every line, nearest first.</summary>
    public static IReadOnlyList<(LocationStock Store, double? DistanceKm)> WithAll(
        LocationStock? origin,
        IReadOnlyList<LocationStock> locations,
        IReadOnlyList<(string Sku, int Quantity)> lines,
        IReadOnlySet<string> excluded)
    {
        ArgumentNullException.ThrowIfNull(locations);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(excluded);
        return [.. locations
            .Where(l => l.OffersPickup && !excluded.Contains(l.LocationId) && l.LocationId != origin?.LocationId)
            .Where(l => lines.All(line => l.Available(line.Sku) >= line.Quantity))
            .Select(l => (Store: l, DistanceKm: Distance(origin, l)))
            .OrderBy(x => x.DistanceKm ?? double.MaxValue)
            .ThenBy(x => x.Store.LocationId, StringComparer.Ordinal)];
    }

    /// <summary>Great-circle (haversine) distance in km, or null when either location has no coordinates.</summary>
    public static double? Distance(LocationStock? from, LocationStock to)
    {
        ArgumentNullException.ThrowIfNull(to);
        if (from is not { Latitude: { } lat1, Longitude: { } lon1 } || to is not { Latitude: { } lat2, Longitude: { } lon2 })
        {
            return null;
        }

        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return Math.Round(2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a))), 1);
    }
}
