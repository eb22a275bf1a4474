using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;
using StockSync.Persistence.Entities;

namespace StockSync.Ledger;

/// <summary>
/// The item and location master the ledger checks movements against. Until the ERP adapter feeds it, it is
/// maintained through the catalogue API or seeded from configuration.
/// </summary>
public sealed class CatalogService(StockSyncDbContext db, TimeProvider time)
{
    /// <summary>Creates or updates an item; returns true when it was created.</summary>
    public async Task<bool> UpsertItemAsync(string sku, string? description, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var item = await db.Items.FindAsync([sku], ct).ConfigureAwait(false);
        var created = item is null;
        if (item is null)
        {
            item = new ItemRecord { Sku = sku, CreatedAt = now };
            db.Items.Add(item);
        }

        item.Description = description;
        item.UpdatedAt = now;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return created;
    }

    /// <summary>Creates or updates a location; returns true when it was created.</summary>
    /// <param name="locationId">The canonical location id.</param>
    /// <param name="name">A display name, if any.</param>
    /// <param name="kind">Store, DistributionCenter or Warehouse.</param>
    /// <param name="ct">Cancels the save.</param>
    /// <param name="fulfillment">Coordinates and fulfilment roles; omitted values take the defaults of the kind (see <see cref="LocationFulfillment.DefaultsFor"/>).</param>
    public async Task<bool> UpsertLocationAsync(string locationId, string? name, string kind, CancellationToken ct, LocationFulfillment? fulfillment = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var location = await db.Locations.FindAsync([locationId], ct).ConfigureAwait(false);
        var created = location is null;
        if (location is null)
        {
            location = new LocationRecord { LocationId = locationId, Kind = kind, CreatedAt = now };
            db.Locations.Add(location);
        }

        location.Name = name;
        location.Kind = kind;
        var roles = LocationFulfillment.DefaultsFor(kind).With(fulfillment);
        location.Latitude = roles.Latitude;
        location.Longitude = roles.Longitude;
        location.SourcingPriority = roles.SourcingPriority ?? 100;
        location.ShipsToCustomers = roles.ShipsToCustomers ?? false;
        location.OffersPickup = roles.OffersPickup ?? false;
        location.UpdatedAt = now;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return created;
    }

    /// <summary>All items, ordered by SKU.</summary>
    public async Task<IReadOnlyList<ItemRecord>> ListItemsAsync(CancellationToken ct) =>
        await db.Items.AsNoTracking().OrderBy(i => i.Sku).ToListAsync(ct).ConfigureAwait(false);

    /// <summary>All locations, ordered by id.</summary>
    public async Task<IReadOnlyList<LocationRecord>> ListLocationsAsync(CancellationToken ct) =>
        await db.Locations.AsNoTracking().OrderBy(l => l.LocationId).ToListAsync(ct).ConfigureAwait(false);
}

/// <summary>Where a location is and what it does for orders. A null member means "the default of the location's kind".</summary>
public sealed record LocationFulfillment(
    double? Latitude = null,
    double? Longitude = null,
    int? SourcingPriority = null,
    bool? ShipsToCustomers = null,
    bool? OffersPickup = null)
{
    /// <summary>
    /// Defaults per kind: a distribution centre (priority 10) and a warehouse (20) ship to customers; a store
    /// (priority 100) offers pickup and ships only when marked ship-from-store eligible.
    /// </summary>
    public static LocationFulfillment DefaultsFor(string kind) => kind switch
    {
        "DistributionCenter" => new(SourcingPriority: 10, ShipsToCustomers: true, OffersPickup: false),
        "Warehouse" => new(SourcingPriority: 20, ShipsToCustomers: true, OffersPickup: false),
        _ => new(SourcingPriority: 100, ShipsToCustomers: false, OffersPickup: true),
    };

    /// <summary>These values, overridden by every member <paramref name="other"/> sets.</summary>
    public LocationFulfillment With(LocationFulfillment? other) => other is null ? this : new(
        other.Latitude ?? Latitude,
        other.Longitude ?? Longitude,
        other.SourcingPriority ?? SourcingPriority,
        other.ShipsToCustomers ?? ShipsToCustomers,
        other.OffersPickup ?? OffersPickup);
}
