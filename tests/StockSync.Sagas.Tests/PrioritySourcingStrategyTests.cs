using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StockSync.Sagas.Sourcing;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The default sourcing of shipped orders: one location for the whole order when one has it all (first by priority),
/// otherwise greedy by priority with lines split across locations; only locations that ship; short-picked locations
/// skipped per SKU; what nobody has reported as unavailable; ties broken by id.
/// </summary>
public sealed class PrioritySourcingStrategyTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> NoExclusions = new Dictionary<string, IReadOnlySet<string>>();

    private readonly PrioritySourcingStrategy _strategy = new();

    [Fact]
    public void A_location_that_has_every_line_takes_the_whole_order_and_the_first_by_priority_wins()
    {
        var plan = _strategy.Plan(Request(
            [("SKU-A", 3), ("SKU-B", 1)],
            Location("DC-1", priority: 10, ("SKU-A", 3)),
            Location("STORE-1", priority: 100, ("SKU-A", 9), ("SKU-B", 9)),
            Location("DC-2", priority: 20, ("SKU-A", 3), ("SKU-B", 1))));

        Assert.Equal([new SourcedUnits("DC-2", "SKU-A", 3), new SourcedUnits("DC-2", "SKU-B", 1)], plan.Allocations);
        Assert.Empty(plan.Unavailable);
    }

    [Fact]
    public void When_no_location_has_everything_locations_are_taken_by_priority_and_a_line_is_split_across_them()
    {
        var plan = _strategy.Plan(Request(
            [("SKU-A", 5), ("SKU-B", 2)],
            Location("STORE-1", priority: 100, ("SKU-A", 4), ("SKU-B", 2)),
            Location("DC-1", priority: 10, ("SKU-A", 3))));

        Assert.Equal(
            [new SourcedUnits("DC-1", "SKU-A", 3), new SourcedUnits("STORE-1", "SKU-A", 2), new SourcedUnits("STORE-1", "SKU-B", 2)],
            plan.Allocations);
        Assert.Empty(plan.Unavailable);
    }

    [Fact]
    public void A_store_that_does_not_ship_to_customers_is_never_used_even_when_it_has_everything()
    {
        var plan = _strategy.Plan(Request(
            [("SKU-A", 4)],
            Location("PICKUP-ONLY", priority: 1, ships: false, ("SKU-A", 100)),
            Location("DC-1", priority: 10, ("SKU-A", 1))));

        Assert.Equal([new SourcedUnits("DC-1", "SKU-A", 1)], plan.Allocations);
        Assert.Equal([("SKU-A", 3)], plan.Unavailable);
    }

    [Fact]
    public void A_location_that_short_picked_a_SKU_is_skipped_for_that_SKU_but_still_supplies_the_others()
    {
        var excluded = new Dictionary<string, IReadOnlySet<string>> { ["SKU-A"] = new HashSet<string> { "DC-1" } };
        var plan = _strategy.Plan(new SourcingRequest(
            [("SKU-A", 1), ("SKU-B", 1)],
            [Location("DC-1", priority: 10, ("SKU-A", 5), ("SKU-B", 5)), Location("STORE-1", priority: 100, ("SKU-A", 5))],
            excluded));

        Assert.Equal([new SourcedUnits("DC-1", "SKU-B", 1), new SourcedUnits("STORE-1", "SKU-A", 1)], plan.Allocations);
        Assert.Empty(plan.Unavailable);
    }

    [Fact]
    public void An_excluded_location_does_not_count_as_having_everything()
    {
        var excluded = new Dictionary<string, IReadOnlySet<string>> { ["SKU-A"] = new HashSet<string> { "DC-1" } };
        var plan = _strategy.Plan(new SourcingRequest([("SKU-A", 2)], [Location("DC-1", priority: 10, ("SKU-A", 50))], excluded));

        Assert.Empty(plan.Allocations);
        Assert.Equal([("SKU-A", 2)], plan.Unavailable);
    }

    [Fact]
    public void Units_no_location_has_are_reported_unavailable_per_SKU_in_line_order()
    {
        var plan = _strategy.Plan(Request(
            [("SKU-A", 5), ("SKU-B", 1), ("SKU-C", 2)],
            Location("DC-1", priority: 10, ("SKU-A", 2), ("SKU-C", 2))));

        Assert.Equal([new SourcedUnits("DC-1", "SKU-A", 2), new SourcedUnits("DC-1", "SKU-C", 2)], plan.Allocations);
        Assert.Equal([("SKU-A", 3), ("SKU-B", 1)], plan.Unavailable);
    }

    [Fact]
    public void With_no_stock_anywhere_the_whole_order_is_unavailable()
    {
        var plan = _strategy.Plan(Request([("SKU-A", 2)], Location("DC-1", priority: 10)));

        Assert.Empty(plan.Allocations);
        Assert.Equal([("SKU-A", 2)], plan.Unavailable);
    }

    [Fact]
    public void Locations_of_equal_priority_are_used_in_id_order_whatever_order_they_are_listed_in()
    {
        var whole = _strategy.Plan(Request(
            [("SKU-A", 2)],
            Location("STORE-B", priority: 100, ("SKU-A", 5)),
            Location("STORE-A", priority: 100, ("SKU-A", 5))));
        var split = _strategy.Plan(Request(
            [("SKU-A", 5)],
            Location("STORE-C", priority: 100, ("SKU-A", 3)),
            Location("STORE-B", priority: 100, ("SKU-A", 3)),
            Location("STORE-A", priority: 100, ("SKU-A", 1))));

        Assert.Equal([new SourcedUnits("STORE-A", "SKU-A", 2)], whole.Allocations);
        Assert.Equal([new SourcedUnits("STORE-A", "SKU-A", 1), new SourcedUnits("STORE-B", "SKU-A", 3), new SourcedUnits("STORE-C", "SKU-A", 1)], split.Allocations);
    }

    [Property(MaxTest = 300)]
    public Property A_plan_never_takes_more_than_a_location_has_and_accounts_for_every_unit_needed() =>
        Prop.ForAll(Arb.From(Scenarios()), scenario =>
        {
            var plan = _strategy.Plan(scenario.Request);
            var byId = scenario.Request.Locations.ToDictionary(l => l.LocationId);

            Assert.All(plan.Allocations, a =>
            {
                Assert.True(a.Quantity > 0, $"Empty allocation {a}");
                Assert.True(byId[a.LocationId].ShipsToCustomers, $"{a.LocationId} does not ship to customers");
                Assert.False(scenario.Request.Excluded.TryGetValue(a.Sku, out var excluded) && excluded.Contains(a.LocationId), $"{a.LocationId} short-picked {a.Sku}");
            });
            foreach (var taken in plan.Allocations.GroupBy(a => (a.LocationId, a.Sku)))
            {
                Assert.True(taken.Sum(a => a.Quantity) <= byId[taken.Key.LocationId].Available(taken.Key.Sku), $"Over-allocated {taken.Key}");
            }

            foreach (var (sku, quantity) in scenario.Request.Needed)
            {
                var allocated = plan.Allocations.Where(a => a.Sku == sku).Sum(a => a.Quantity);
                var unavailable = plan.Unavailable.Where(u => u.Sku == sku).Sum(u => u.Quantity);
                Assert.Equal(quantity, allocated + unavailable);
            }
        });

    [Property(MaxTest = 200)]
    public Property The_plan_does_not_depend_on_the_order_locations_are_listed_in() =>
        Prop.ForAll(
            Arb.From(from scenario in Scenarios() from shuffled in Gen.Shuffle(scenario.Request.Locations.ToArray()) select (scenario.Request, Shuffled: shuffled)),
            c =>
            {
                var plan = _strategy.Plan(c.Request);
                var replanned = _strategy.Plan(c.Request with { Locations = c.Shuffled });
                Assert.Equal(plan.Allocations, replanned.Allocations);
                Assert.Equal(plan.Unavailable, replanned.Unavailable);
            });

    private static SourcingRequest Request(IReadOnlyList<(string Sku, int Quantity)> needed, params LocationStock[] locations) =>
        new(needed, locations, NoExclusions);

    private static LocationStock Location(string id, int priority, params (string Sku, int Available)[] stock) =>
        Location(id, priority, ships: true, stock);

    private static LocationStock Location(string id, int priority, bool ships, params (string Sku, int Available)[] stock) =>
        new(id, null, id.StartsWith("DC", StringComparison.Ordinal) ? "DistributionCenter" : "Store", priority, ships, OffersPickup: !id.StartsWith("DC", StringComparison.Ordinal), null, null,
            stock.ToDictionary(s => s.Sku, s => s.Available, StringComparer.Ordinal));

    /// <summary>Up to five locations (priorities that tie, some not shipping), three SKUs, some short-picked pairs.</summary>
    private static Gen<Scenario> Scenarios()
    {
        string[] skus = ["SKU-A", "SKU-B", "SKU-C"];
        var location =
            from priority in Gen.Choose(1, 3)
            from ships in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
            from available in Gen.Choose(0, 8).ArrayOf(skus.Length)
            select (priority, ships, available);
        return
            from locations in location.ListOf().Select(l => l.Take(5).ToList())
            from needed in Gen.Choose(0, 15).ArrayOf(skus.Length)
            from exclusions in Gen.Elements(true, false, false, false).ArrayOf(skus.Length * 5)
            select new Scenario(new SourcingRequest(
                [.. skus.Select((sku, i) => (sku, needed[i])).Where(n => n.Item2 > 0)],
                [.. locations.Select((l, i) => new LocationStock(
                    $"L{i}", null, "Store", l.priority, l.ships, true, null, null,
                    skus.Select((sku, s) => (sku, l.available[s])).ToDictionary(x => x.sku, x => x.Item2, StringComparer.Ordinal)))],
                skus.Select((sku, s) => (sku, Set: (IReadOnlySet<string>)Enumerable.Range(0, locations.Count).Where(i => exclusions[(s * 5) + i]).Select(i => $"L{i}").ToHashSet()))
                    .ToDictionary(x => x.sku, x => x.Set, StringComparer.Ordinal)));
    }

    /// <summary>A generated request (a record, so FsCheck prints it when a property fails).</summary>
    public sealed record Scenario(SourcingRequest Request);
}
