using StockSync.Contracts.Inventory;
using static StockSync.Inventory.Tests.Movements;

namespace StockSync.Inventory.Tests;

/// <summary>The delta table of every movement type, bucket arithmetic and the available-to-sell formula.</summary>
public sealed class MovementEffectsTests
{
    private static BucketDelta DeltaAtStore(StockMovement movement)
    {
        var (key, delta) = Assert.Single(MovementEffects.DeltasOf(movement));
        Assert.Equal(StoreKey, key);
        return delta;
    }

    [Fact]
    public void A_sale_decreases_OnHand() =>
        Assert.Equal(new BucketDelta(OnHand: -3), DeltaAtStore(Sale(3)));

    [Fact]
    public void A_return_increases_OnHand_and_Quarantine_alike() =>
        Assert.Equal(new BucketDelta(OnHand: 3, Quarantine: 3), DeltaAtStore(Return(3)));

    [Fact]
    public void A_receipt_increases_OnHand() =>
        Assert.Equal(new BucketDelta(OnHand: 3), DeltaAtStore(Receipt(3)));

    [Theory]
    [InlineData(InventoryBucket.OnHand, -4)]
    [InlineData(InventoryBucket.Damaged, 2)]
    [InlineData(InventoryBucket.SafetyStock, -1)]
    public void An_adjustment_applies_its_signed_quantity_to_its_bucket(InventoryBucket bucket, int quantity) =>
        Assert.Equal(BucketDelta.Of(bucket, quantity), DeltaAtStore(Adjust(quantity, bucket)));

    [Fact]
    public void A_transfer_shipment_touches_the_origin_and_the_destination()
    {
        var deltas = MovementEffects.DeltasOf(Ship(3, from: Store, to: Warehouse));

        Assert.Equal(new (StockKey, BucketDelta)[] { (StoreKey, new BucketDelta(OnHand: -3)), (WarehouseKey, new BucketDelta(InTransit: 3)) }, deltas);
    }

    [Fact]
    public void A_transfer_receipt_moves_units_from_InTransit_to_OnHand_at_the_receiving_location() =>
        Assert.Equal(new BucketDelta(OnHand: 3, InTransit: -3), DeltaAtStore(ReceiveTransfer(3, at: Store, from: Warehouse)));

    [Fact]
    public void A_reservation_increases_Reserved() =>
        Assert.Equal(new BucketDelta(Reserved: 3), DeltaAtStore(Reserve(3)));

    [Fact]
    public void A_release_decreases_Reserved() =>
        Assert.Equal(new BucketDelta(Reserved: -3), DeltaAtStore(Release(3)));

    [Fact]
    public void A_commit_moves_Reserved_to_Allocated() =>
        Assert.Equal(new BucketDelta(Reserved: -3, Allocated: 3), DeltaAtStore(Commit(3)));

    [Fact]
    public void A_fulfilment_decreases_Allocated_and_OnHand() =>
        Assert.Equal(new BucketDelta(OnHand: -3, Allocated: -3), DeltaAtStore(Fulfil(3)));

    [Fact]
    public void Releasing_an_allocation_decreases_Allocated_only() =>
        Assert.Equal(new BucketDelta(Allocated: -3), DeltaAtStore(ReleaseAllocation(3)));

    [Fact]
    public void Quarantining_increases_Quarantine_only() =>
        Assert.Equal(new BucketDelta(Quarantine: 3), DeltaAtStore(Quarantine(3)));

    [Theory]
    [InlineData(QuarantineDisposition.Restock, 0, 0)]
    [InlineData(QuarantineDisposition.Damaged, 0, 3)]
    [InlineData(QuarantineDisposition.ReturnToVendor, -3, 0)]
    [InlineData(QuarantineDisposition.Dispose, -3, 0)]
    public void A_disposition_empties_Quarantine_into_its_destination(QuarantineDisposition disposition, int onHand, int damaged) =>
        Assert.Equal(new BucketDelta(OnHand: onHand, Quarantine: -3, Damaged: damaged), DeltaAtStore(Disposition(3, disposition)));

    [Fact]
    public void A_count_is_not_a_delta()
    {
        var error = Assert.Throws<ArgumentException>(() => MovementEffects.DeltasOf(Count(5)));
        Assert.Contains("StockCounted is not a delta movement", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_delta_movement_type_has_an_effect()
    {
        foreach (var (type, movement) in OneOfEach().Where(m => m.Value is not StockCounted))
        {
            Assert.True(MovementEffects.DeltasOf(movement).Any(d => !d.Delta.IsZero), $"{type} has no effect.");
        }
    }

    // ---- Bucket arithmetic ----

    [Theory]
    [InlineData(InventoryBucket.OnHand)]
    [InlineData(InventoryBucket.Reserved)]
    [InlineData(InventoryBucket.Allocated)]
    [InlineData(InventoryBucket.Damaged)]
    [InlineData(InventoryBucket.Quarantine)]
    [InlineData(InventoryBucket.SafetyStock)]
    [InlineData(InventoryBucket.InTransit)]
    public void A_delta_on_one_bucket_changes_only_that_bucket(InventoryBucket bucket)
    {
        var after = StockPosition.Empty.Apply(BucketDelta.Of(bucket, 4));

        foreach (var (b, quantity) in after.Buckets())
        {
            Assert.Equal(b == bucket ? 4 : 0, quantity);
        }

        Assert.Equal(4, after[bucket]);
    }

    [Fact]
    public void A_delta_on_an_unknown_bucket_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BucketDelta.Of((InventoryBucket)99, 1));

    [Fact]
    public void Deltas_add_bucket_by_bucket()
    {
        var sum = new BucketDelta(OnHand: 2, Reserved: 1) + new BucketDelta(OnHand: -5, InTransit: 3);
        Assert.Equal(new BucketDelta(OnHand: -3, Reserved: 1, InTransit: 3), sum);
        Assert.Equal(sum, BucketDelta.Add(new BucketDelta(OnHand: 2, Reserved: 1), new BucketDelta(OnHand: -5, InTransit: 3)));
        Assert.True((new BucketDelta(OnHand: 2) + new BucketDelta(OnHand: -2)).IsZero);
    }

    [Fact]
    public void The_first_negative_bucket_is_reported_in_canonical_order()
    {
        Assert.Null(StockPosition.Empty.FirstNegativeBucket());
        Assert.Equal(InventoryBucket.Allocated, new StockPosition { Allocated = -1, InTransit = -1 }.FirstNegativeBucket());
        Assert.Equal(InventoryBucket.InTransit, new StockPosition { OnHand = 3, InTransit = -1 }.FirstNegativeBucket());
    }

    // ---- Available to sell ----

    [Fact]
    public void ATS_is_OnHand_less_every_held_bucket()
    {
        var position = new StockPosition { OnHand = 30, Reserved = 1, Allocated = 2, Damaged = 3, Quarantine = 4, SafetyStock = 5 };
        Assert.Equal(15, position.AvailableToSell);
    }

    [Fact]
    public void InTransit_units_are_not_available_to_sell()
    {
        Assert.Equal(0, new StockPosition { InTransit = 50 }.AvailableToSell);
        Assert.Equal(10, new StockPosition { OnHand = 10, InTransit = 50 }.AvailableToSell);
    }

    [Theory]
    [InlineData(InventoryBucket.Reserved)]
    [InlineData(InventoryBucket.Allocated)]
    [InlineData(InventoryBucket.Damaged)]
    [InlineData(InventoryBucket.Quarantine)]
    [InlineData(InventoryBucket.SafetyStock)]
    public void Each_held_bucket_reduces_ATS_unit_for_unit(InventoryBucket bucket)
    {
        var position = new StockPosition { OnHand = 10 }.Apply(BucketDelta.Of(bucket, 3));
        Assert.Equal(7, position.AvailableToSell);
    }

    [Fact]
    public void ATS_is_clamped_at_zero_when_holds_exceed_OnHand()
    {
        var position = new StockPosition { OnHand = 5, Reserved = 4, Allocated = 3, SafetyStock = 2 };
        Assert.Equal(0, position.AvailableToSell);
    }

    [Fact]
    public void ATS_is_zero_when_holds_exactly_match_OnHand() =>
        Assert.Equal(0, new StockPosition { OnHand = 6, Reserved = 2, Quarantine = 4 }.AvailableToSell);
}
