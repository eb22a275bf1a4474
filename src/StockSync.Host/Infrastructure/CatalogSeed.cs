using StockSync.Ledger;

namespace StockSync.Host.Infrastructure;

/// <summary>The <c>Catalog:Seed</c> section: items and locations upserted at start-up (the development profile seeds a demo catalogue).</summary>
public sealed class CatalogSeedOptions
{
    public const string Section = "Catalog:Seed";

    public List<SeedItem> Items { get; } = [];

    public List<SeedLocation> Locations { get; } = [];

    public sealed class SeedItem
    {
        public string Sku { get; set; } = string.Empty;

        public string? Description { get; set; }
    }

    public sealed class SeedLocation
    {
        public string LocationId { get; set; } = string.Empty;

        public string? Name { get; set; }

        public string Kind { get; set; } = "Store";

        public double? Latitude { get; set; }

        public double? Longitude { get; set; }

        public int? SourcingPriority { get; set; }

        public bool? ShipsToCustomers { get; set; }

        public bool? OffersPickup { get; set; }
    }
}

internal static class CatalogSeed
{
    public static async Task SeedCatalogAsync(this IServiceProvider services, IConfiguration configuration, CancellationToken ct = default)
    {
        var seed = new CatalogSeedOptions();
        configuration.GetSection(CatalogSeedOptions.Section).Bind(seed);
        if (seed.Items.Count == 0 && seed.Locations.Count == 0)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogService>();
        foreach (var item in seed.Items)
        {
            await catalog.UpsertItemAsync(item.Sku, item.Description, ct);
        }

        foreach (var location in seed.Locations)
        {
            await catalog.UpsertLocationAsync(
                location.LocationId, location.Name, location.Kind, ct,
                new LocationFulfillment(location.Latitude, location.Longitude, location.SourcingPriority, location.ShipsToCustomers, location.OffersPickup));
        }
    }
}
