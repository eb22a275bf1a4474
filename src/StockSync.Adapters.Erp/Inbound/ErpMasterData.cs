using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>
/// A batch of master data the adapter refuses as a whole (a record without its id, a pack of no units): nothing of it
/// is applied, the poll keeps its cursor (or the file moves to <c>failed/</c>) and the reason names the record.
/// </summary>
public sealed class ErpMasterDataException : Exception
{
    public ErpMasterDataException()
    {
    }

    public ErpMasterDataException(string message)
        : base(message)
    {
    }

    public ErpMasterDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Applies the ERP's item and site master. An item becomes a catalogue item (its SKU and description) and mappings:
/// the ERP item number to the SKU with the units of its order unit (a case of 12 is 12 eaches), and each barcode to the
/// SKU for the tills (<c>pos</c>). A site becomes a location (created with its kind's fulfilment defaults; name and
/// kind kept current after that, coordinates and roles set over the API are left alone) and the mapping of its code.
/// A batch applies whole or not at all; the caller saves.
/// </summary>
public sealed class ErpMasterData(StockSyncDbContext db, ExternalIds ids, TimeProvider time)
{
    /// <summary>The external system name of the ERP in the id mapping tables.</summary>
    public const string System = ErpPostingOptions.ErpSourceSystem;

    /// <summary>The system the item master's barcodes are mapped for.</summary>
    public const string PosSystem = "pos";

    private static readonly string[] LocationKinds = ["Store", "DistributionCenter", "Warehouse"];

    /// <summary>Applies items (validated first: one bad record refuses the batch).</summary>
    public async Task ApplyItemsAsync(IReadOnlyList<ErpItem> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var (item, index) in items.Select((item, index) => (item, index)))
        {
            var where = $"item {index + 1} ({item.ItemNumber ?? "no item number"})";
            Require(item.ItemNumber, where, "itemNumber");
            Require(item.Sku, where, "sku");
            if (item.UnitsPerOrderUnit < 1)
            {
                throw new ErpMasterDataException($"ERP master refused: {where} has unitsPerOrderUnit {item.UnitsPerOrderUnit}; it must be at least 1.");
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        var skus = items.Select(i => i.Sku!).Distinct().ToList();
        var known = await db.Items.Where(i => skus.Contains(i.Sku)).ToDictionaryAsync(i => i.Sku, ct).ConfigureAwait(false);
        foreach (var item in items)
        {
            if (!known.TryGetValue(item.Sku!, out var record))
            {
                record = new ItemRecord { Sku = item.Sku!, CreatedAt = now };
                db.Items.Add(record);
                known[item.Sku!] = record;
            }

            record.Description = item.Description;
            record.UpdatedAt = now;
        }

        await ids.UpsertAsync(
            items.Select(i => new ExternalIdMapping(System, ExternalIdKind.Sku, i.ItemNumber!, i.Sku!, i.UnitsPerOrderUnit))
                .Concat(items.SelectMany(i => (i.Barcodes ?? []).Where(b => !string.IsNullOrWhiteSpace(b)).Select(b => new ExternalIdMapping(PosSystem, ExternalIdKind.Sku, b, i.Sku!)))),
            ct).ConfigureAwait(false);
    }

    /// <summary>Applies sites (validated first: one bad record refuses the batch).</summary>
    public async Task ApplySitesAsync(IReadOnlyList<ErpSite> sites, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sites);
        foreach (var (site, index) in sites.Select((site, index) => (site, index)))
        {
            var where = $"site {index + 1} ({site.SiteCode ?? "no site code"})";
            Require(site.SiteCode, where, "siteCode");
            Require(site.LocationId, where, "locationId");
            if (!LocationKinds.Contains(site.Kind, StringComparer.Ordinal))
            {
                throw new ErpMasterDataException($"ERP master refused: {where} has kind '{site.Kind}'; it must be one of {string.Join(", ", LocationKinds)}.");
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        var locationIds = sites.Select(s => s.LocationId!).Distinct().ToList();
        var known = await db.Locations.Where(l => locationIds.Contains(l.LocationId)).ToDictionaryAsync(l => l.LocationId, ct).ConfigureAwait(false);
        foreach (var site in sites)
        {
            if (!known.TryGetValue(site.LocationId!, out var record))
            {
                var defaults = StockSync.Ledger.LocationFulfillment.DefaultsFor(site.Kind!);
                record = new LocationRecord
                {
                    LocationId = site.LocationId!,
                    Kind = site.Kind!,
                    CreatedAt = now,
                    SourcingPriority = defaults.SourcingPriority ?? 100,
                    ShipsToCustomers = defaults.ShipsToCustomers ?? false,
                    OffersPickup = defaults.OffersPickup ?? false,
                };
                db.Locations.Add(record);
                known[site.LocationId!] = record;
            }

            record.Name = site.Name;
            record.Kind = site.Kind!;
            record.UpdatedAt = now;
        }

        await ids.UpsertAsync(sites.Select(s => new ExternalIdMapping(System, ExternalIdKind.Location, s.SiteCode!, s.LocationId!)), ct).ConfigureAwait(false);
    }

    private static void Require(string? value, string where, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ErpMasterDataException($"ERP master refused: {where} has no {field}.");
        }
    }
}
