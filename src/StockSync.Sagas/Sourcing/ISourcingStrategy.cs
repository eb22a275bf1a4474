namespace StockSync.Sagas.Sourcing;

/// <summary>
/// Decides where the units of a shipped order come from. Register your own to change the rules (cost, distance,
/// carrier cut-offs); the saga applies whatever plan it returns through the ledger, all or nothing.
/// </summary>
public interface ISourcingStrategy
{
    /// <summary>Plans where to take <paramref name="request"/>'s units from.</summary>
    SourcingPlan Plan(SourcingRequest request);
}

/// <summary>What to source and from where it may come.</summary>
/// <param name="Needed">Units still to source, per SKU, in the order's line order.</param>
/// <param name="Locations">Every location with its available-to-sell of the order's SKUs.</param>
/// <param name="Excluded">Per SKU, the locations that must not be used again (they short-picked it).</param>
public sealed record SourcingRequest(
    IReadOnlyList<(string Sku, int Quantity)> Needed,
    IReadOnlyList<LocationStock> Locations,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Excluded);

/// <summary>One allocation of a plan: <paramref name="Quantity"/> of <paramref name="Sku"/> from <paramref name="LocationId"/>.</summary>
public sealed record SourcedUnits(string LocationId, string Sku, int Quantity);

/// <summary>A sourcing decision: what comes from where, and what nobody has (to backorder).</summary>
public sealed record SourcingPlan(IReadOnlyList<SourcedUnits> Allocations, IReadOnlyList<(string Sku, int Quantity)> Unavailable);
