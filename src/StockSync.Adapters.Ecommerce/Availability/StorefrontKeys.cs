using System.Globalization;
using Microsoft.Extensions.Options;
using StockSync.Inventory;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>One inventory level at the storefront: an inventory item at a location, and the units per storefront unit.</summary>
public sealed record StorefrontTarget(long InventoryItemId, long LocationId, int UnitsPerExternal)
{
    /// <summary>A canonical quantity in the storefront's units (whole ones: a case of 12 with 11 units left is 0 cases).</summary>
    public int ToExternal(int canonicalQuantity) => canonicalQuantity / UnitsPerExternal;
}

/// <summary>Where a canonical SKU × location lives at the storefront.</summary>
public interface IStorefrontKeys
{
    /// <summary>The storefront's inventory levels of <paramref name="key"/>; empty when the storefront does not know it.</summary>
    Task<IReadOnlyList<StorefrontTarget>> TargetsAsync(StockKey key, CancellationToken ct);
}

/// <summary>
/// The storefront's ids of a canonical SKU × location, from the ExternalIds tables: every inventory item id the SKU has
/// (system <see cref="StorefrontEndpoint.InventoryItemSystem"/>, else <see cref="EcommerceOptions.System"/>) at every
/// location id the location has. Only numeric ids are Shopify ids; other mappings of the system (SKU texts kept for
/// inbound lookups) are not pushed to.
/// </summary>
public sealed class StorefrontKeys(ExternalIds ids, IOptionsMonitor<EcommerceOptions> options) : IStorefrontKeys
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<StorefrontTarget>> TargetsAsync(StockKey key, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var itemSystem = settings.Storefront.InventoryItemSystem is { Length: > 0 } system ? system : settings.System;
        var locations = (await ids.ExternalIdsOfAsync(settings.System, ExternalIdKind.Location, key.LocationId, ct).ConfigureAwait(false))
            .Select(l => ParseId(l.ExternalId)).OfType<long>().ToList();
        if (locations.Count == 0)
        {
            return [];
        }

        var items = await ids.ExternalIdsOfAsync(itemSystem, ExternalIdKind.Sku, key.Sku, ct).ConfigureAwait(false);
        return [.. from item in items
                   let itemId = ParseId(item.ExternalId)
                   where itemId is not null
                   from location in locations
                   select new StorefrontTarget(itemId.Value, location, Math.Max(1, item.UnitsPerExternal))];
    }

    private static long? ParseId(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
