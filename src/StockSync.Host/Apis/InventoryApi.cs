using StockSync.Ledger;

namespace StockSync.Host.Apis;

/// <summary>Read endpoints over positions and the ledger.</summary>
internal static class InventoryApi
{
    public static IEndpointRouteBuilder MapInventoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/inventory").WithTags("Inventory");

        group.MapGet("/{sku}", async (string sku, InventoryQueries queries, CancellationToken ct) =>
                await queries.GetSkuAsync(sku, ct) is { } view
                    ? Results.Ok(view)
                    : Problems.NotFoundProblem($"SKU '{sku}' is not in the item master."))
            .WithName("GetSkuInventory")
            .WithSummary("Every location's buckets, available-to-sell and per-channel exposure for a SKU.")
            .Produces<SkuInventoryView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{sku}/{locationId}/ledger", async (string sku, string locationId, int? limit, long? before, InventoryQueries queries, CancellationToken ct) =>
            {
                var take = limit ?? 100;
                if (take is < 1 or > 1000)
                {
                    return Problems.Validation(Problems.InvalidInput, "Invalid query.", [new("limit", "The limit must be between 1 and 1000.")]);
                }

                return Results.Ok(await queries.GetLedgerAsync(sku, locationId, take, before, ct));
            })
            .WithName("GetLedger")
            .WithSummary("The ledger rows of one SKU × location, newest first; page back with ?before=<id>.")
            .Produces<IReadOnlyList<LedgerEntryView>>()
            .ProducesValidationProblem();

        group.MapGet("/projection-check", async (InventoryQueries queries, CancellationToken ct) =>
            {
                var mismatches = await queries.FindProjectionMismatchesAsync(ct);
                return Results.Ok(new ProjectionCheck(mismatches.Count == 0, mismatches));
            })
            .WithName("CheckProjection")
            .WithSummary("Proves positions are the sum of the ledger: lists every key where they differ.")
            .Produces<ProjectionCheck>();
        return app;
    }
}

/// <summary>The projection check's answer.</summary>
public sealed record ProjectionCheck(bool Consistent, IReadOnlyList<ProjectionMismatch> Mismatches);
