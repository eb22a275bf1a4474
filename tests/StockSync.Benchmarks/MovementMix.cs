using System.Globalization;
using StockSync.Contracts.Inventory;

namespace StockSync.Benchmarks;

/// <summary>
/// The movement mix, drawn from a seeded generator over the seeded keys. One draw is an action of one or two
/// movements; the weights are chosen so that, counted in movements, the mix is 80% sales, 8% e-commerce reservations
/// and commits (a StockReserved followed by its ReservationCommitted), 5% returns, 4% transfers (a TransferShipped and
/// its TransferReceived) and receipts, 3% adjustments and counts.
/// Quantities are small (1–3) against the seeded buckets (<see cref="Seed"/>), so no bucket can go negative whatever
/// order the ledger applies them in (a commit or a transfer receipt may overtake its reservation or shipment: they are
/// different types, so different batches). Counts set OnHand to a value near the seed.
/// </summary>
public sealed class MovementMix(BenchmarkOptions options, string runId)
{
    private readonly Random _random = new(options.Seed);
    private long _next;

    /// <summary>The source systems of this run (movements are counted and checked by them).</summary>
    public IReadOnlyList<string> SourceSystems => [Pos, Web, Erp, Wms];

    private string Pos { get; } = $"bench-{runId}-pos";

    private string Web { get; } = $"bench-{runId}-web";

    private string Erp { get; } = $"bench-{runId}-erp";

    private string Wms { get; } = $"bench-{runId}-wms";

    /// <summary>What the seed gives every position: OnHand, Reserved and InTransit (the other buckets are zero).</summary>
    public static (int OnHand, int Reserved, int InTransit) Seed => (10_000, 1_000, 1_000);

    /// <summary>The next action: one movement, or two that belong together (published in that order).</summary>
    public StockMovement[] Next(DateTimeOffset now)
    {
        // Whole microseconds: PostgreSQL keeps no more, and AvailabilityChanged.LatestMovementOccurredAt is compared with it.
        var occurredAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
        var sku = Sku(_random.Next(options.Skus));
        var locationIndex = _random.Next(options.Locations);
        var location = Location(locationIndex);
        var quantity = _random.Next(1, 4);
        // Weights per action; the two-movement actions count half: 80 + 4×2 + 5 + 1.5×2 + 1 + 2 + 1 = 100 movements.
        var draw = _random.NextDouble() * 94.5;
        switch (draw)
        {
            case < 80:
                return [new SaleRecorded { SourceSystem = Pos, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = quantity, TransactionId = $"t{_next}" }];
            case < 84:
            {
                var reservation = $"r{_next}";
                return
                [
                    new StockReserved { SourceSystem = Web, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = quantity, ReservationId = reservation, ChannelId = "web" },
                    new ReservationCommitted { SourceSystem = Web, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = quantity, ReservationId = reservation, OrderId = $"o{_next}" },
                ];
            }

            case < 89:
                return [new ReturnReceived { SourceSystem = Pos, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = quantity, ReturnId = $"rma{_next}" }];
            case < 90.5:
            {
                var destination = Location((locationIndex + 1 + _random.Next(options.Locations - 1)) % options.Locations);
                var transfer = $"tr{_next}";
                return
                [
                    new TransferShipped { SourceSystem = Wms, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = quantity, TransferId = transfer, DestinationLocationId = destination },
                    new TransferReceived { SourceSystem = Wms, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = destination, Quantity = quantity, TransferId = transfer, OriginLocationId = location },
                ];
            }

            case < 91.5:
                return [new ReceiptPosted { SourceSystem = Erp, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = quantity, PurchaseOrderId = $"po{_next}" }];
            case < 93.5:
            {
                var found = _random.Next(2) == 0;
                return [new InventoryAdjusted { SourceSystem = Erp, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = found ? quantity : -quantity, ReasonCode = found ? "FOUND" : "SHRINK" }];
            }

            default:
                return [new StockCounted { SourceSystem = Erp, SourceMessageId = Id(), OccurredAt = occurredAt, Sku = sku, LocationId = location, Quantity = Seed.OnHand + _random.Next(-100, 101), CountSource = "cycle-count" }];
        }
    }

    /// <summary>The canonical SKU of index <paramref name="index"/>.</summary>
    public static string Sku(int index) => string.Create(CultureInfo.InvariantCulture, $"BSKU-{index:D6}");

    /// <summary>The canonical location id of index <paramref name="index"/>.</summary>
    public static string Location(int index) => string.Create(CultureInfo.InvariantCulture, $"BLOC-{index:D4}");

    private string Id() => string.Create(CultureInfo.InvariantCulture, $"m{_next++}");
}
