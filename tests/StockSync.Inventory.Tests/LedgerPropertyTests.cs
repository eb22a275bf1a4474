using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StockSync.Contracts.Inventory;

namespace StockSync.Inventory.Tests;

/// <summary>
/// The ledger invariants, stated on <see cref="InMemoryLedger"/> over random but realistic movement sequences:
/// two SKUs at three locations, every movement type, transfers between the locations, reservations that are
/// released or committed and shipped, returns that are inspected, and counts with timestamps.
/// </summary>
public sealed class LedgerPropertyTests
{
    private static readonly string[] Skus = ["SKU-A", "SKU-B"];
    private static readonly string[] Locations = ["L1", "L2", "L3"];
    private const string SeedDc = "DC-SEED";
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>What every movement needs; the message id is given later, once the sequence is known.</summary>
    private sealed record Common(string Sku, string Location, int Quantity, DateTimeOffset At)
    {
        public Common Later(int minutes) => this with { At = At.AddMinutes(minutes) };
    }

    // ---- Movement factories ----

    private static ReceiptPosted Receipt(Common c) => new() { SourceSystem = "erp", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity };

    private static SaleRecorded Sale(Common c) => new() { SourceSystem = "pos", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity };

    private static ReturnReceived Return(Common c) => new() { SourceSystem = "pos", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity };

    private static InventoryAdjusted Adjust(Common c, InventoryBucket bucket, bool negative) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = "?",
        OccurredAt = c.At,
        Sku = c.Sku,
        LocationId = c.Location,
        Quantity = negative ? -c.Quantity : c.Quantity,
        Bucket = bucket,
        ReasonCode = negative ? "SHRINK" : "FOUND",
    };

    private static TransferShipped Ship(Common c, string destination) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = "?",
        OccurredAt = c.At,
        Sku = c.Sku,
        LocationId = c.Location,
        Quantity = c.Quantity,
        TransferId = "TR",
        DestinationLocationId = destination,
    };

    private static TransferReceived ReceiveTransfer(Common c, string origin) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = "?",
        OccurredAt = c.At,
        Sku = c.Sku,
        LocationId = c.Location,
        Quantity = c.Quantity,
        TransferId = "TR",
        OriginLocationId = origin,
    };

    private static StockReserved Reserve(Common c) => new() { SourceSystem = "web", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity, ReservationId = "R", ChannelId = "web" };

    private static ReservationReleased Release(Common c) => new() { SourceSystem = "web", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity, ReservationId = "R" };

    private static ReservationCommitted Commit(Common c) => new() { SourceSystem = "web", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity, ReservationId = "R", OrderId = "O" };

    private static FulfillmentShipped Fulfil(Common c) => new() { SourceSystem = "oms", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity, OrderId = "O" };

    private static AllocationReleased ReleaseAllocation(Common c) => new() { SourceSystem = "oms", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity, OrderId = "O" };

    private static UnitsQuarantined Quarantine(Common c) => new() { SourceSystem = "pos", SourceMessageId = "?", OccurredAt = c.At, Sku = c.Sku, LocationId = c.Location, Quantity = c.Quantity };

    private static QuarantineDispositioned Disposition(Common c, QuarantineDisposition disposition) => new()
    {
        SourceSystem = "pos",
        SourceMessageId = "?",
        OccurredAt = c.At,
        Sku = c.Sku,
        LocationId = c.Location,
        Quantity = c.Quantity,
        Disposition = disposition,
    };

    private static StockCounted CountOf(Common c) => new()
    {
        SourceSystem = "erp",
        SourceMessageId = "?",
        OccurredAt = c.At,
        Sku = c.Sku,
        LocationId = c.Location,
        Quantity = c.Quantity,
        CountSource = "cycle-count",
    };

    private static StockCounted CountAt(int quantity, DateTimeOffset at, string id) =>
        CountOf(new Common("SKU-A", "L1", quantity, at)) with { SourceMessageId = id, CountSource = "erp-snapshot" };

    // ---- Generators ----

    private static Gen<Common> CommonGen(Gen<int> minutes, Gen<int> quantities, string[]? skus = null, string[]? locations = null) =>
        from sku in Gen.Elements(skus ?? Skus)
        from location in Gen.Elements(locations ?? Locations)
        from quantity in quantities
        from minute in minutes
        select new Common(sku, location, quantity, T0.AddMinutes(minute));

    private static Gen<string> OtherLocation(string location) => Gen.Elements(Locations.Where(l => l != location).ToArray());

    private static Gen<InventoryBucket> AdjustableBucket => Gen.Elements(InventoryBucket.OnHand, InventoryBucket.Damaged, InventoryBucket.SafetyStock);

    /// <summary>Any one delta movement on its own; quantities and keys are random, so some are refused by the stock rules.</summary>
    private static Gen<StockMovement> DeltaMovement(Gen<int> minutes, Gen<int> quantities)
    {
        var common = CommonGen(minutes, quantities);
        Gen<StockMovement> Of(Func<Common, StockMovement> make) => common.Select(make);

        return Gen.Frequency(
            (5, Of(Receipt)),
            (4, Of(Sale)),
            (2, Of(Return)),
            (2, from c in common from bucket in AdjustableBucket from negative in Gen.Elements(true, false) select (StockMovement)Adjust(c, bucket, negative)),
            (2, from c in common from destination in OtherLocation(c.Location) select (StockMovement)Ship(c, destination)),
            (1, from c in common from origin in OtherLocation(c.Location) select (StockMovement)ReceiveTransfer(c, origin)),
            (3, Of(Reserve)),
            (1, Of(Release)),
            (1, Of(Commit)),
            (1, Of(Fulfil)),
            (1, Of(ReleaseAllocation)),
            (2, Of(Quarantine)),
            (1, from c in common from d in Gen.Elements(Enum.GetValues<QuarantineDisposition>()) select (StockMovement)Disposition(c, d)));
    }

    /// <summary>
    /// A small story of related movements in their natural order: a reservation released, or committed and shipped;
    /// a transfer shipped and received; a return or quarantine inspected; or a single movement (including a count).
    /// </summary>
    private static Gen<List<StockMovement>> Story()
    {
        var minutes = Gen.Choose(0, 120);
        var common = CommonGen(minutes, Gen.Choose(1, 8));
        var single = Gen.Frequency((9, DeltaMovement(minutes, Gen.Choose(1, 8))), (2, CommonGen(minutes, Gen.Choose(0, 12)).Select(c => (StockMovement)CountOf(c))));

        var reservation =
            from c in common
            from ending in Gen.Choose(0, 3)
            select ending switch
            {
                0 => new List<StockMovement> { Reserve(c), Release(c.Later(5)) },
                1 => [Reserve(c), Commit(c.Later(5))],
                2 => [Reserve(c), Commit(c.Later(5)), ReleaseAllocation(c.Later(20))],
                _ => [Reserve(c), Commit(c.Later(5)), Fulfil(c.Later(30))],
            };
        var transfer =
            from c in common
            from destination in OtherLocation(c.Location)
            select new List<StockMovement> { Ship(c, destination), ReceiveTransfer(c.Later(60) with { Location = destination }, c.Location) };
        var inspection =
            from c in common
            from returned in Gen.Elements(true, false)
            from disposition in Gen.Elements(Enum.GetValues<QuarantineDisposition>())
            select new List<StockMovement> { returned ? Return(c) : Quarantine(c), Disposition(c.Later(20), disposition) };

        return Gen.Frequency((8, single.Select(m => new List<StockMovement> { m })), (3, reservation), (1, transfer), (1, inspection));
    }

    /// <summary>Stories interleaved at random (each keeps its own order), with unique message ids.</summary>
    private static Arbitrary<List<StockMovement>> AnySequence()
    {
        var sequences =
            from stories in Story().ListOf()
            from slots in Gen.Choose(0, 10_000).ListOf(stories.Sum(s => s.Count))
            select WithIds(Interleave(stories, slots));
        return Arb.From(sequences);
    }

    private static List<StockMovement> Interleave(List<List<StockMovement>> stories, List<int> slots)
    {
        var next = 0;
        var placed = new List<(int Slot, int Story, StockMovement Movement)>();
        for (var s = 0; s < stories.Count; s++)
        {
            var ordered = slots.Skip(next).Take(stories[s].Count).Order().ToList();
            next += stories[s].Count;
            placed.AddRange(stories[s].Select((m, i) => (ordered[i], s, m)));
        }

        return [.. placed.OrderBy(p => p.Slot).ThenBy(p => p.Story).Select(p => p.Movement)];
    }

    /// <summary>Deltas with small quantities that cannot be refused in any order once <see cref="Seed"/> has run.</summary>
    private static Gen<List<StockMovement>> SafeDeltas() =>
        DeltaMovement(Gen.Choose(0, 120), Gen.Choose(1, 5)).ListOf().Select(WithIds);

    /// <summary>OnHand deltas (and returns, which also quarantine) for one key, occurring within the given minutes.</summary>
    private static Gen<StockMovement> OnHandDelta(Gen<int> minutes)
    {
        var common = CommonGen(minutes, Gen.Choose(1, 8), skus: ["SKU-A"], locations: ["L1"]);
        return Gen.OneOf(
            common.Select(c => (StockMovement)Receipt(c)),
            common.Select(c => (StockMovement)Sale(c)),
            common.Select(c => (StockMovement)Return(c)),
            common.Select(c => (StockMovement)Adjust(c, InventoryBucket.OnHand, negative: true)),
            common.Select(c => (StockMovement)Adjust(c, InventoryBucket.OnHand, negative: false)));
    }

    private static List<StockMovement> WithIds(IEnumerable<StockMovement> movements) =>
        [.. movements.Select((m, i) => m with { SourceMessageId = $"m{i}", SourceSequence = i })];

    // ---- Helpers ----

    /// <summary>
    /// Generous stock in every bucket of every key, applied before the movements under test: 100 000 on hand, 1 000
    /// reserved, allocated, damaged, quarantined, in safety stock and in transit.
    /// </summary>
    private static InMemoryLedger Seed()
    {
        var ledger = new InMemoryLedger();
        var n = 0;
        void Must(StockMovement m) => Assert.IsType<MovementOutcome.Applied>(ledger.Apply(m with { SourceSystem = "seed", SourceMessageId = $"seed-{n++}" }));

        foreach (var sku in Skus)
        {
            Common At(string location, int quantity) => new(sku, location, quantity, T0.AddDays(-1));
            Must(Receipt(At(SeedDc, 100_000)));
            foreach (var location in Locations)
            {
                Must(Receipt(At(location, 100_000)));
                Must(Reserve(At(location, 2_000)));
                Must(Commit(At(location, 1_000)));
                Must(Adjust(At(location, 1_000), InventoryBucket.Damaged, negative: false));
                Must(Adjust(At(location, 1_000), InventoryBucket.SafetyStock, negative: false));
                Must(Quarantine(At(location, 1_000)));
                Must(Ship(At(SeedDc, 1_000), destination: location));
            }
        }

        return ledger;
    }

    private static List<KeyValuePair<StockKey, StockPosition>> Snapshot(InMemoryLedger ledger) =>
        [.. ledger.Positions.OrderBy(p => p.Key.Sku, StringComparer.Ordinal).ThenBy(p => p.Key.LocationId, StringComparer.Ordinal)];

    private static void AssertNothingNegative(InMemoryLedger ledger, StockMovement last)
    {
        foreach (var (key, position) in ledger.Positions)
        {
            Assert.True(position.FirstNegativeBucket() is null, $"{key} went negative after {last}: {position}");
            Assert.True(position.AvailableToSell >= 0, $"{key} has negative ATS after {last}: {position}");
        }
    }

    private static void AssertAllApplied(InMemoryLedger ledger, IEnumerable<StockMovement> movements)
    {
        foreach (var movement in movements)
        {
            var outcome = ledger.Apply(movement);
            Assert.True(outcome is MovementOutcome.Applied, $"{movement} was refused: {outcome}");
        }
    }

    // ---- Properties ----

    [Property]
    public Property No_bucket_and_no_ATS_ever_goes_negative_whatever_arrives() =>
        Prop.ForAll(AnySequence(), movements =>
        {
            var ledger = new InMemoryLedger();
            foreach (var movement in movements)
            {
                var before = Snapshot(ledger);
                var linesBefore = ledger.Lines.Count;
                var outcome = ledger.Apply(movement);

                AssertNothingNegative(ledger, movement);
                if (outcome is MovementOutcome.Rejected)
                {
                    Assert.Equal(before, Snapshot(ledger));
                    Assert.Equal(linesBefore, ledger.Lines.Count);
                }
                else if (movement is StockReserved)
                {
                    var change = Assert.Single(((MovementOutcome.Applied)outcome).Changes);
                    Assert.True(change.Before.AvailableToSell >= movement.Quantity, $"Oversold: {movement} against {change.Before}");
                }
            }
        });

    [Property]
    public Property The_ledger_lines_sum_to_every_position() =>
        Prop.ForAll(AnySequence(), movements =>
        {
            var ledger = new InMemoryLedger();
            foreach (var movement in movements)
            {
                ledger.Apply(movement);
            }

            var sums = ledger.Lines.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Aggregate(BucketDelta.None, (sum, l) => sum + l.Delta));
            Assert.Equal(sums.Keys.ToHashSet(), ledger.Positions.Keys.ToHashSet());
            foreach (var (key, position) in ledger.Positions)
            {
                Assert.Equal(StockPosition.Empty.Apply(sums[key]), position with { CountedAsOf = null });
            }
        });

    [Property]
    public Property Deltas_give_the_same_positions_in_any_order()
    {
        var cases = from movements in SafeDeltas() from shuffled in Gen.Shuffle(movements.ToArray()) select (Movements: movements, Shuffled: shuffled);
        return Prop.ForAll(Arb.From(cases), c =>
        {
            var inOrder = Seed();
            var expected = Snapshot(inOrder).ToDictionary(p => p.Key, p => p.Value);
            AssertAllApplied(inOrder, c.Movements);
            var reordered = Seed();
            AssertAllApplied(reordered, c.Shuffled);

            Assert.Equal(Snapshot(inOrder), Snapshot(reordered));
            Assert.Equal(inOrder.Lines.Count, reordered.Lines.Count);

            // And the common result is the seeded stock plus every movement's effect.
            foreach (var (key, delta) in c.Movements.SelectMany(MovementEffects.DeltasOf))
            {
                expected[key] = expected.GetValueOrDefault(key, StockPosition.Empty).Apply(delta);
            }

            Assert.Equal(expected.OrderBy(p => p.Key.Sku, StringComparer.Ordinal).ThenBy(p => p.Key.LocationId, StringComparer.Ordinal), Snapshot(inOrder));
        });
    }

    [Property]
    public Property Delivering_every_movement_twice_is_the_same_as_delivering_it_once() =>
        Prop.ForAll(Arb.From(SafeDeltas()), movements =>
        {
            var once = Seed();
            AssertAllApplied(once, movements);
            var twice = Seed();
            AssertAllApplied(twice, movements);

            foreach (var movement in movements)
            {
                var outcome = Assert.IsType<MovementOutcome.Applied>(twice.Apply(movement));
                Assert.Empty(outcome.Changes);
            }

            Assert.Equal(Snapshot(once), Snapshot(twice));
            Assert.Equal(once.Lines, twice.Lines);
        });

    [Property]
    public Property A_reused_id_with_other_content_is_refused_and_changes_nothing() =>
        Prop.ForAll(Arb.From(SafeDeltas()), movements =>
        {
            var ledger = Seed();
            AssertAllApplied(ledger, movements);
            var before = Snapshot(ledger);
            var lines = ledger.Lines.Count;

            foreach (var movement in movements)
            {
                // The same ids a day later, or with one unit more: what a till that restarted its numbering sends.
                foreach (var reused in new[] { movement with { OccurredAt = movement.OccurredAt.AddDays(1) }, movement with { Quantity = movement.Quantity + 1 } })
                {
                    var refused = Assert.IsType<MovementOutcome.Rejected>(ledger.Apply(reused));
                    Assert.Equal(RejectionKind.ConflictingDuplicate, refused.Kind);
                }
            }

            Assert.Equal(before, Snapshot(ledger));
            Assert.Equal(lines, ledger.Lines.Count);
        });

    [Property]
    public Property Redeliveries_interleaved_anywhere_change_nothing()
    {
        var cases =
            from movements in AnySequence().Generator
            from delays in Gen.Choose(0, 10).ListOf(movements.Count)
            select (Movements: movements, Delays: delays);
        return Prop.ForAll(Arb.From(cases), c =>
        {
            var (movements, delays) = c;
            var once = new InMemoryLedger();
            var applied = new List<int>();
            for (var i = 0; i < movements.Count; i++)
            {
                if (once.Apply(movements[i]) is MovementOutcome.Applied)
                {
                    applied.Add(i);
                }
            }

            // Every applied movement is redelivered some steps later, and once more at the very end.
            var withRedeliveries = new InMemoryLedger();
            for (var j = 0; j < movements.Count; j++)
            {
                withRedeliveries.Apply(movements[j]);
                foreach (var i in applied.Where(i => i <= j && Math.Min(i + delays[i], movements.Count - 1) == j))
                {
                    Assert.Empty(Assert.IsType<MovementOutcome.Applied>(withRedeliveries.Apply(movements[i])).Changes);
                }
            }

            foreach (var i in applied)
            {
                Assert.Empty(Assert.IsType<MovementOutcome.Applied>(withRedeliveries.Apply(movements[i])).Changes);
            }

            Assert.Equal(Snapshot(once), Snapshot(withRedeliveries));
            Assert.Equal(once.Lines, withRedeliveries.Lines);
        });
    }

    [Property]
    public Property A_count_plus_later_deltas_gives_the_same_result_whatever_the_arrival_order()
    {
        var countAt = T0.AddMinutes(60);
        var cases =
            from before in OnHandDelta(Gen.Choose(1, 60)).ListOf()
            from after in OnHandDelta(Gen.Choose(61, 120)).ListOf()
            from spare in Gen.Choose(0, 40)
            let deltas = WithIds(before.Concat(after))
            let count = CountAt(after.Sum(m => Math.Max(0, -OnHandOf(m))) + spare, countAt, "count")
            from orders in Gen.Shuffle(deltas.Append(count)).ArrayOf(4)
            select (Deltas: deltas, Count: count, Orders: orders);

        return Prop.ForAll(Arb.From(cases), c =>
        {
            var expectedOnHand = c.Count.Quantity + c.Deltas.Where(m => m.OccurredAt > countAt).Sum(OnHandOf);
            var expectedQuarantine = c.Deltas.OfType<ReturnReceived>().Sum(m => m.Quantity);
            var key = new StockKey("SKU-A", "L1");
            var results = new List<StockPosition>();

            foreach (var order in c.Orders.Prepend([.. c.Deltas, c.Count]))
            {
                var ledger = new InMemoryLedger();
                AssertAllApplied(ledger, [Opening()]);
                AssertAllApplied(ledger, order);
                results.Add(ledger.GetPosition(key));
            }

            Assert.All(results, p =>
            {
                Assert.Equal(expectedOnHand, p.OnHand);
                Assert.Equal(expectedQuarantine, p.Quarantine);
                Assert.Equal(countAt, p.CountedAsOf);
            });
            Assert.All(results, p => Assert.Equal(results[0], p));
        });
    }

    [Property]
    public Property The_newest_count_wins_whatever_order_the_counts_and_deltas_arrive_in()
    {
        var olderAt = T0.AddMinutes(40);
        var newerAt = T0.AddMinutes(80);
        var cases =
            from raw in OnHandDelta(Gen.Choose(1, 120)).ListOf()
            from olderSpare in Gen.Choose(0, 40)
            from newerSpare in Gen.Choose(0, 40)
            let deltas = WithIds(raw)
            let floor = deltas.Sum(m => Math.Max(0, -OnHandOf(m)))
            let counts = new[] { CountAt(floor + olderSpare, olderAt, "older-count"), CountAt(floor + newerSpare, newerAt, "newer-count") }
            from order in Gen.Shuffle(deltas.Concat(counts))
            select (Deltas: deltas, Newer: counts[1], Order: order);

        return Prop.ForAll(Arb.From(cases), c =>
        {
            var ledger = new InMemoryLedger();
            AssertAllApplied(ledger, [Opening()]);
            AssertAllApplied(ledger, c.Order);

            var position = ledger.GetPosition(new StockKey("SKU-A", "L1"));
            Assert.Equal(c.Newer.Quantity + c.Deltas.Where(m => m.OccurredAt > newerAt).Sum(OnHandOf), position.OnHand);
            Assert.Equal(newerAt, position.CountedAsOf);
        });
    }

    /// <summary>Stock on the shelf before everything else (so inside every count): keeps early sales from being refused.</summary>
    private static ReceiptPosted Opening() => Receipt(new Common("SKU-A", "L1", 10_000, T0)) with { SourceMessageId = "opening" };

    private static int OnHandOf(StockMovement movement) => MovementEffects.DeltasOf(movement).Sum(d => d.Delta.OnHand);
}
