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

                if (problems.Count > 0)
                {
                    return Problems.Validation(Problems.InvalidInput, "Invalid location.", problems);
                }

                var created = await catalog.UpsertLocationAsync(locationId, body?.Name, kind, ct);
                return created ? Results.Created($"/catalog/locations/{locationId}", new { locationId }) : Results.Ok(new { locationId });
            })
            .WithName("UpsertLocation")
            .WithSummary("Creates or updates a location of the location master.")
            .ProducesValidationProblem();

        group.MapGet("/items", async (CatalogService catalog, CancellationToken ct) =>
            Results.Ok((await catalog.ListItemsAsync(ct)).Select(i => new { i.Sku, i.Description })))
            .WithName("ListItems");
        group.MapGet("/locations", async (CatalogService catalog, CancellationToken ct) =>
            Results.Ok((await catalog.ListLocationsAsync(ct)).Select(l => new { l.LocationId, l.Name, l.Kind })))
            .WithName("ListLocations");
        return app;
    }

    public sealed record ItemBody(string? Description);

    public sealed record LocationBody(string? Name, string? Kind);
}
