using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Ledger;
using StockSync.Persistence.Ledger;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The intake's line decisions against random stock and random orders, through the real saga and ledger: a line is
/// accepted whole or rejected, what is held is exactly what was accepted and never more than a location that ships had,
/// no line is rejected out of stock that the stock left over could have served, and fulfillment allocates what was held
/// where it was held.
/// </summary>
public sealed class MarketplaceIntakePropertyTests : IAsyncLifetime
{
    private static readonly string[] Skus = ["P", "Q", "R"];
    private static readonly string[] Shipping = [StandardDc1, StandardDc2, StandardStoreA, StandardStoreB];
    private int _case;
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync();
        await _h.StandardLocationsAsync();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Property(MaxTest = 15, Arbitrary = [typeof(IntakeScenarios)])]
    public async Task Accepted_lines_are_held_whole_within_the_stock_of_locations_that_ship_and_rejected_lines_did_not_fit(Scenario scenario)
    {
        // Each case works on SKUs of its own, so the positions start empty whatever the earlier cases left.
        var n = Interlocked.Increment(ref _case);
        string Sku(string s) => s == "NOPE" ? $"NOPE-{n}" : $"{s}-{n}";
        await using (var scope = _h.Services.CreateAsyncScope())
        {
            foreach (var sku in Skus)
            {
                await scope.ServiceProvider.GetRequiredService<CatalogService>().UpsertItemAsync(Sku(sku), null, default);
            }

            var receipts = scenario.Stock.Where(s => s.Quantity > 0).Select((s, i) => new ReceiptPosted
            {
                SourceSystem = "erp", SourceMessageId = $"PROP-{n}-{i}", OccurredAt = _h.Clock.GetUtcNow(), Sku = Sku(s.Sku), LocationId = s.Location, Quantity = s.Quantity,
            });
            Assert.Empty((await scope.ServiceProvider.GetRequiredService<LedgerBatchWriter>().ApplyAsync([.. receipts], default)).Rejections);
        }

        var orderId = $"walmart:PROP-{n}";
        var saga = await _h.ReceivedAsync(orderId, [.. scenario.Lines.Select(l => (Sku(l.Sku), l.Quantity))]);

        Assert.Equal(scenario.Lines.Count, saga.AcceptedLines + saga.RejectedLines);
        Assert.Equal(
            scenario.Lines.Select((l, i) => ($"{i + 1}", Sku(l.Sku), l.Quantity)),
            saga.Decisions.Select(d => (d.LineNumber, d.Sku, d.Quantity)));
        var wholeOrderFits = scenario.Lines.Where(l => l.Sku != "NOPE").GroupBy(l => l.Sku).All(g => g.Sum(l => l.Quantity) <= scenario.Shippable(g.Key));
        foreach (var sku in Skus)
        {
            var accepted = saga.Decisions.Where(d => d.Sku == Sku(sku) && d.Decision == MarketplaceLineDecision.Accepted).Sum(d => d.Quantity);
            var left = scenario.Shippable(sku) - accepted;
            Assert.True(left >= 0, $"{accepted} × {sku} accepted, but locations that ship have {scenario.Shippable(sku)}.");
            Assert.Equal(accepted, saga.Reservations.Where(r => r.Sku == Sku(sku)).Sum(r => r.Quantity));
            Assert.All(
                saga.Decisions.Where(d => d.Sku == Sku(sku) && d.Decision == MarketplaceLineDecision.Rejected),
                d => Assert.True(!wholeOrderFits && d.Quantity > left, $"Line {d.LineNumber} ({d.Quantity} × {sku}) was rejected with {left} left over."));

            foreach (var location in Shipping.Append(StandardPickupOnly))
            {
                var position = await _h.PositionAsync(Sku(sku), location);
                var held = saga.Reservations.Where(r => r.Sku == Sku(sku) && r.LocationId == location).Sum(r => r.Quantity);
                Assert.Equal((scenario.At(sku, location), held), (position.OnHand, position.Reserved));
                Assert.True(position.OnHand - position.Reserved >= 0, $"{sku} at {location}: {position.Reserved} held of {position.OnHand}.");
            }
        }

        Assert.All(saga.Decisions.Where(d => d.Sku == Sku("NOPE")), d => Assert.Equal((MarketplaceLineDecision.Rejected, "SELLER_CANCEL_OUT_OF_STOCK"), (d.Decision, d.ReasonCode)));
        Assert.DoesNotContain(saga.Reservations, r => r.LocationId == StandardPickupOnly);

        // Acknowledged, fulfillment allocates exactly what was held, where it was held.
        await _h.AcknowledgedAsync(orderId);
        if (saga.AcceptedLines == 0)
        {
            await _h.IntakeInAsync(orderId, "Rejected");
        }
        else
        {
            var order = await _h.OrderInAsync(orderId, "Fulfilling");
            Assert.Equal(
                saga.Reservations.Select(r => (r.LocationId, r.Sku, r.Quantity)).Order(),
                order.Shipments.SelectMany(s => s.Lines.Select(l => (s.LocationId, l.Sku, l.Quantity))).Order());
            foreach (var held in saga.Reservations)
            {
                var position = await _h.PositionAsync(held.Sku, held.LocationId);
                Assert.Equal((0, held.Quantity), (position.Reserved, position.Allocated));
            }
        }

        await _h.AssertLedgerMatchesPositionsAsync();
    }

    /// <summary>Stock of three SKUs at four locations that ship and the pickup-only store; one to six lines, some of a SKU nobody knows.</summary>
    public static class IntakeScenarios
    {
        public static Arbitrary<Scenario> Scenarios()
        {
            string[] locations = [.. Shipping, StandardPickupOnly];
            var stock =
                from quantities in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 4))).ArrayOf(Skus.Length * locations.Length)
                select (IReadOnlyList<(string Sku, string Location, int Quantity)>)[.. Skus.SelectMany((s, i) => locations.Select((l, j) => (s, l, quantities[(i * locations.Length) + j])))];
            var line =
                from sku in Gen.Frequency((6, Gen.Elements(Skus)), (1, Gen.Constant("NOPE")))
                from quantity in Gen.Choose(1, 5)
                select (sku, quantity);
            var scenarios =
                from s in stock
                from count in Gen.Choose(1, 6)
                from lines in line.ArrayOf(count)
                select new Scenario(s, lines);
            return Arb.From(scenarios);
        }
    }

    /// <summary>A generated case (its text is what FsCheck prints when the property fails).</summary>
    public sealed record Scenario(IReadOnlyList<(string Sku, string Location, int Quantity)> Stock, IReadOnlyList<(string Sku, int Quantity)> Lines)
    {
        /// <summary>Units of <paramref name="sku"/> at <paramref name="location"/>.</summary>
        public int At(string sku, string location) => Stock.Where(s => s.Sku == sku && s.Location == location).Sum(s => s.Quantity);

        /// <summary>Units of <paramref name="sku"/> at the locations that ship.</summary>
        public int Shippable(string sku) => Shipping.Sum(l => At(sku, l));

        public override string ToString() =>
            $"stock [{string.Join(", ", Stock.Where(s => s.Quantity > 0).Select(s => $"{s.Quantity} × {s.Sku} at {s.Location}"))}], " +
            $"lines [{string.Join(", ", Lines.Select(l => $"{l.Quantity} × {l.Sku}"))}]";
    }
}
