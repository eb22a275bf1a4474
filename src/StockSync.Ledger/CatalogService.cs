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
    public async Task<bool> UpsertLocationAsync(string locationId, string? name, string kind, CancellationToken ct)
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
