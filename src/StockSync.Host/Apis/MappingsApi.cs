using StockSync.Inventory;
using StockSync.Persistence;
using StockSync.Persistence.Mapping;

namespace StockSync.Host.Apis;

/// <summary>
/// The id mapping tables: an external system's SKU and location ids, the canonical ids they stand for, and units of
/// measure (a case of 12 → 12 each). Adapters read them; the ERP master load fills them; operators fix them here and
/// then replay what faulted for want of a mapping.
/// </summary>
internal static class MappingsApi
{
    public static IEndpointRouteBuilder MapMappingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/mappings").WithTags("Mappings");

        group.MapGet("/{system}", async (string system, ExternalIds ids, CancellationToken ct) =>
                Results.Ok((await ids.ListAsync(system, ct)).Select(e => new MappingView(e.System, e.Kind, e.ExternalId, e.CanonicalId, e.UnitsPerExternal, e.UpdatedAt))))
            .WithName("ListMappings")
            .WithSummary("Every SKU and location mapping of one external system.");

        group.MapPut("/{system}/skus/{externalId}", (string system, string externalId, HttpRequest request, ExternalIds ids, StockSyncDbContext db, CancellationToken ct) =>
                PutAsync(system, ExternalIdKind.Sku, externalId, request, ids, db, ct))
            .WithName("PutSkuMapping")
            .WithSummary("Maps an external SKU id to a canonical SKU, with the units per external unit (default 1).")
            .Accepts<MappingBody>("application/json")
            .ProducesValidationProblem();

        group.MapPut("/{system}/locations/{externalId}", (string system, string externalId, HttpRequest request, ExternalIds ids, StockSyncDbContext db, CancellationToken ct) =>
                PutAsync(system, ExternalIdKind.Location, externalId, request, ids, db, ct))
            .WithName("PutLocationMapping")
            .WithSummary("Maps an external location id (a store number) to a canonical location.")
            .Accepts<MappingBody>("application/json")
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> PutAsync(string system, string kind, string externalId, HttpRequest request, ExternalIds ids, StockSyncDbContext db, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<MappingBody>(request, null, ct);
        if (problem is not null)
        {
            return problem;
        }

        var problems = new[]
        {
            MovementValidator.CheckId("system", system),
            MovementValidator.CheckId("externalId", externalId),
            MovementValidator.CheckId("canonicalId", body!.CanonicalId),
        }.OfType<ValidationProblem>().ToList();
        if (system.Length > 64)
        {
            problems.Add(new("system", "The system name cannot be longer than 64 characters."));
        }

        if (body.UnitsPerExternal is < 1 or > 100_000)
        {
            problems.Add(new("unitsPerExternal", "Units per external unit must be between 1 and 100000."));
        }
        else if (kind == ExternalIdKind.Location && body.UnitsPerExternal is not (null or 1))
        {
            problems.Add(new("unitsPerExternal", "A location mapping has no unit of measure."));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "Invalid mapping.", problems);
        }

        await ids.UpsertAsync([new ExternalIdMapping(system, kind, externalId, body.CanonicalId, body.UnitsPerExternal ?? 1)], ct);
        await db.SaveChangesAsync(ct);
        return Results.Ok(new MappingView(system, kind, externalId, body.CanonicalId, body.UnitsPerExternal ?? 1, null));
    }

    /// <summary>A mapping to store.</summary>
    public sealed class MappingBody
    {
        public required string CanonicalId { get; init; }

        public int? UnitsPerExternal { get; init; }
    }

    /// <summary>A mapping as the API shows it.</summary>
    public sealed record MappingView(string System, string Kind, string ExternalId, string CanonicalId, int UnitsPerExternal, DateTime? UpdatedAt);
}
