using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;

namespace StockSync.Sagas.Sourcing;

/// <summary>A location the flows may source from, with its available-to-sell for the SKUs asked about.</summary>
public sealed record LocationStock(
    string LocationId,
    string? Name,
    string Kind,
    int SourcingPriority,
    bool ShipsToCustomers,
    bool OffersPickup,
    double? Latitude,
    double? Longitude,
    IReadOnlyDictionary<string, int> AvailableToSell)
{
    /// <summary>Available-to-sell of <paramref name="sku"/> here (0 when the location has no position for it).</summary>
    public int Available(string sku) => AvailableToSell.GetValueOrDefault(sku);
}

/// <summary>Reads the location master and the positions of some SKUs, in the caller's transaction.</summary>
public sealed class LocationStockReader(StockSyncDbContext db)
{
    /// <summary>One location of the master (without stock figures), or null when it is unknown.</summary>
    public async Task<LocationStock?> FindAsync(string locationId, CancellationToken ct) =>
        await db.Locations.AsNoTracking().Where(l => l.LocationId == locationId)
            .Select(l => new LocationStock(l.LocationId, l.Name, l.Kind, l.SourcingPriority, l.ShipsToCustomers, l.OffersPickup, l.Latitude, l.Longitude, new Dictionary<string, int>()))
            .SingleOrDefaultAsync(ct).ConfigureAwait(false);

    /// <summary>Every location, with the available-to-sell of each of <paramref name="skus"/>.</summary>
    public async Task<IReadOnlyList<LocationStock>> ReadAsync(IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        var locations = await db.Locations.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var positions = await db.Positions.AsNoTracking().Where(p => skus.Contains(p.Sku)).ToListAsync(ct).ConfigureAwait(false);
        var available = positions
            .GroupBy(p => p.LocationId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.ToDictionary(p => p.Sku, p => p.ToDomain().AvailableToSell, StringComparer.Ordinal), StringComparer.Ordinal);
        return [.. locations.Select(l => new LocationStock(
            l.LocationId,
            l.Name,
            l.Kind,
            l.SourcingPriority,
            l.ShipsToCustomers,
            l.OffersPickup,
            l.Latitude,
            l.Longitude,
            available.GetValueOrDefault(l.LocationId) ?? new Dictionary<string, int>()))];
    }
}
