namespace StockSync.Sagas.Sourcing;

/// <summary>
/// The default sourcing: only locations that ship to customers (every DC and warehouse, and ship-from-store eligible
/// stores), in sourcing-priority order (then by id, so the plan is repeatable).
/// <list type="number">
/// <item>If one location has every line available, the whole order ships from the first such location.</item>
/// <item>Otherwise locations are taken in priority order, each giving as much of every open line as its
/// available-to-sell allows: a line is split across locations when no single one has it.</item>
/// <item>What no location has is unavailable (the saga backorders it).</item>
/// </list>
/// </summary>
public sealed class PrioritySourcingStrategy : ISourcingStrategy
{
    /// <inheritdoc />
    public SourcingPlan Plan(SourcingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var candidates = request.Locations
            .Where(l => l.ShipsToCustomers)
            .OrderBy(l => l.SourcingPriority)
            .ThenBy(l => l.LocationId, StringComparer.Ordinal)
            .ToList();
        int Usable(LocationStock location, string sku) =>
            request.Excluded.TryGetValue(sku, out var excluded) && excluded.Contains(location.LocationId) ? 0 : Math.Max(0, location.Available(sku));

        var single = candidates.FirstOrDefault(l => request.Needed.All(n => Usable(l, n.Sku) >= n.Quantity));
        if (single is not null)
        {
            return new SourcingPlan([.. request.Needed.Select(n => new SourcedUnits(single.LocationId, n.Sku, n.Quantity))], []);
        }

        var remaining = request.Needed.ToDictionary(n => n.Sku, n => n.Quantity, StringComparer.Ordinal);
        var allocations = new List<SourcedUnits>();
        foreach (var location in candidates)
        {
            foreach (var (sku, _) in request.Needed)
            {
                var take = Math.Min(remaining[sku], Usable(location, sku));
                if (take > 0)
                {
                    allocations.Add(new SourcedUnits(location.LocationId, sku, take));
                    remaining[sku] -= take;
                }
            }
        }

        return new SourcingPlan(allocations, [.. request.Needed.Where(n => remaining[n.Sku] > 0).Select(n => (n.Sku, remaining[n.Sku]))]);
    }
}
