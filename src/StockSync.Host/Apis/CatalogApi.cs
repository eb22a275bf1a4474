using StockSync.Inventory;
using StockSync.Ledger;

namespace StockSync.Host.Apis;

/// <summary>The item and location master the ledger checks movements against.</summary>
internal static class CatalogApi
{
    private static readonly string[] LocationKinds = ["Store", "DistributionCenter", "Warehouse"];

    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/catalog").WithTags("Catalog");

        group.MapPut("/items/{sku}", async (string sku, ItemBody? body, CatalogService catalog, CancellationToken ct) =>
            {
                if (MovementValidator.CheckId("sku", sku) is { } problem)
                {
                    return Problems.Validation(Problems.InvalidInput, "Invalid item.", [problem]);
                }

                var created = await catalog.UpsertItemAsync(sku, body?.Description, ct);
                return created ? Results.Created($"/catalog/items/{sku}", new { sku }) : Results.Ok(new { sku });
            })
            .WithName("UpsertItem")
            .WithSummary("Creates or updates an item of the item master.")
            .ProducesValidationProblem();

        group.MapPut("/locations/{locationId}", async (string locationId, LocationBody? body, CatalogService catalog, CancellationToken ct) =>
            {
                var kind = body?.Kind ?? "Store";
                var problems = new List<ValidationProblem>();
                if (MovementValidator.CheckId("locationId", locationId) is { } problem)
                {
                    problems.Add(problem);
                }

                if (!LocationKinds.Contains(kind, StringComparer.Ordinal))
                {
                    problems.Add(new("kind", $"The kind must be one of: {string.Join(", ", LocationKinds)}."));
                }

                problems.AddRange(CheckFulfillment(body));
                if (problems.Count > 0)
                {
                    return Problems.Validation(Problems.InvalidInput, "Invalid location.", problems);
                }

                var fulfillment = new LocationFulfillment(body?.Latitude, body?.Longitude, body?.SourcingPriority, body?.ShipsToCustomers, body?.OffersPickup);
                var created = await catalog.UpsertLocationAsync(locationId, body?.Name, kind, ct, fulfillment);
                return created ? Results.Created($"/catalog/locations/{locationId}", new { locationId }) : Results.Ok(new { locationId });
            })
            .WithName("UpsertLocation")
            .WithSummary("Creates or updates a location of the location master.")
            .ProducesValidationProblem();

        group.MapGet("/items", async (CatalogService catalog, CancellationToken ct) =>
            Results.Ok((await catalog.ListItemsAsync(ct)).Select(i => new { i.Sku, i.Description })))
            .WithName("ListItems");
        group.MapGet("/locations", async (CatalogService catalog, CancellationToken ct) =>
            Results.Ok((await catalog.ListLocationsAsync(ct)).Select(l => new
            {
                l.LocationId,
                l.Name,
                l.Kind,
                l.Latitude,
                l.Longitude,
                l.SourcingPriority,
                l.ShipsToCustomers,
                l.OffersPickup,
            })))
            .WithName("ListLocations");
        return app;
    }

    public sealed record ItemBody(string? Description);

    private static IEnumerable<ValidationProblem> CheckFulfillment(LocationBody? body)
    {
        if (body is null)
        {
            yield break;
        }

        if (body.Latitude.HasValue != body.Longitude.HasValue)
        {
            yield return new("latitude", "Give both latitude and longitude, or neither.");
        }

        if (body.Latitude is < -90 or > 90)
        {
            yield return new("latitude", "The latitude must be between -90 and 90.");
        }

        if (body.Longitude is < -180 or > 180)
        {
            yield return new("longitude", "The longitude must be between -180 and 180.");
        }

        if (body.SourcingPriority is < 0 or > 10_000)
        {
            yield return new("sourcingPriority", "The sourcing priority must be between 0 and 10000.");
        }
    }

    /// <summary>A location of the master; omitted fulfilment fields take the defaults of its kind.</summary>
    public sealed record LocationBody(
        string? Name,
        string? Kind,
        double? Latitude = null,
        double? Longitude = null,
        int? SourcingPriority = null,
        bool? ShipsToCustomers = null,
        bool? OffersPickup = null);
}
