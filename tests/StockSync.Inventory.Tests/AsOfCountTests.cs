using StockSync.Contracts.Inventory;
using static StockSync.Inventory.Tests.Movements;

namespace StockSync.Inventory.Tests;

/// <summary>Absolute counts are true as of their timestamp; late deltas before it are already inside them.</summary>
public sealed class AsOfCountTests
{
    private readonly InMemoryLedger _ledger = new();

    private StockPosition Position => _ledger.GetPosition(StoreKey);

    private PositionChange ApplyOne(StockMovement movement)
    {
        var applied = Assert.IsType<MovementOutcome.Applied>(_ledger.Apply(movement));
        return Assert.Single(applied.Changes);
    }

    [Fact]
    public void A_count_sets_OnHand_to_the_counted_quantity()
    {
        _ledger.Apply(Receipt(10, minute: 0));

        var change = ApplyOne(Count(7, minute: 10));

        Assert.Equal(7, Position.OnHand);
        Assert.Equal(At(10), Position.CountedAsOf);
        Assert.Equal(new BucketDelta(OnHand: -3), change.Delta);
        Assert.Null(change.Note);
    }

    [Fact]
    public void A_first_count_of_an_unseen_position_sets_its_OnHand()
    {
        ApplyOne(Count(9, minute: 10));
        Assert.Equal(new StockPosition { OnHand = 9, CountedAsOf = At(10) }, Position);
        Assert.Equal(9, Position.AvailableToSell);
    }

    [Fact]
    public void A_count_of_zero_empties_OnHand_but_keeps_the_holds()
    {
        _ledger.Apply(Receipt(10));
        _ledger.Apply(Reserve(4, minute: 1));

        ApplyOne(Count(0, minute: 10));

        Assert.Equal(0, Position.OnHand);
        Assert.Equal(4, Position.Reserved);
        Assert.Equal(0, Position.AvailableToSell);
    }

    [Fact]
    public void A_late_sale_before_a_count_is_not_applied_again()
    {
        _ledger.Apply(Receipt(10, minute: 0));
        _ledger.Apply(Count(7, minute: 10));

        var change = ApplyOne(Sale(2, minute: 5));

        Assert.Equal(7, Position.OnHand);
        Assert.True(change.Delta.IsZero);
        Assert.Contains("already inside the count", change.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_late_delta_at_the_exact_instant_of_the_count_is_inside_the_count()
    {
        _ledger.Apply(Count(7, minute: 10));

        ApplyOne(Receipt(5, minute: 10));

        Assert.Equal(7, Position.OnHand);
    }

    [Fact]
    public void A_late_return_before_a_count_still_adds_to_Quarantine()
    {
        _ledger.Apply(Count(7, minute: 10));

        var change = ApplyOne(Return(2, minute: 5));

        // The count already saw the two returned units on the shelf; they are now known to await inspection.
        Assert.Equal(new BucketDelta(Quarantine: 2), change.Delta);
        Assert.Equal(7, Position.OnHand);
        Assert.Equal(2, Position.Quarantine);
        Assert.Equal(5, Position.AvailableToSell);
    }

    [Fact]
    public void A_late_fulfilment_before_a_count_still_releases_the_allocation()
    {
        _ledger.Apply(Receipt(10, minute: 0));
        _ledger.Apply(Reserve(3, minute: 1));
        _ledger.Apply(Commit(3, minute: 2));
        _ledger.Apply(Count(7, minute: 10));

        ApplyOne(Fulfil(3, minute: 5));

        Assert.Equal(7, Position.OnHand);
        Assert.Equal(0, Position.Allocated);
        Assert.Equal(7, Position.AvailableToSell);
    }

    [Fact]
    public void A_late_transfer_before_the_origin_count_still_puts_units_in_transit()
    {
        _ledger.Apply(Receipt(10, minute: 0));
        _ledger.Apply(Count(6, minute: 10));

        var applied = Assert.IsType<MovementOutcome.Applied>(_ledger.Apply(Ship(4, from: Store, to: Warehouse, minute: 5)));

        Assert.Equal(2, applied.Changes.Count);
        Assert.Equal(6, Position.OnHand);
        Assert.Equal(4, _ledger.GetPosition(WarehouseKey).InTransit);
    }

    [Fact]
    public void A_late_transfer_receipt_before_a_count_still_clears_InTransit()
    {
        _ledger.Apply(Receipt(10, minute: 0, location: Warehouse));
        _ledger.Apply(Ship(4, from: Warehouse, to: Store, minute: 1));
        _ledger.Apply(Count(4, minute: 10));

        ApplyOne(ReceiveTransfer(4, at: Store, from: Warehouse, minute: 5));

        Assert.Equal(4, Position.OnHand);
        Assert.Equal(0, Position.InTransit);
    }

    [Fact]
    public void A_delta_after_the_count_applies_on_top_of_it()
    {
        _ledger.Apply(Count(7, minute: 10));

        ApplyOne(Sale(2, minute: 11));
        ApplyOne(Receipt(5, minute: 12));

        Assert.Equal(10, Position.OnHand);
    }

    [Fact]
    public void A_count_arriving_after_later_deltas_keeps_those_deltas_on_top()
    {
        _ledger.Apply(Receipt(20, minute: 0));
        _ledger.Apply(Receipt(5, minute: 20));
        _ledger.Apply(Sale(1, minute: 30));

        var change = ApplyOne(Count(10, minute: 10));

        Assert.Equal(14, Position.OnHand);
        Assert.Equal(new BucketDelta(OnHand: 14 - 24), change.Delta);
        Assert.Contains("Count 10 plus 4", change.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Deltas_before_the_count_that_arrived_first_are_replaced_by_the_count()
    {
        _ledger.Apply(Receipt(20, minute: 0));
        _ledger.Apply(Sale(3, minute: 5));

        ApplyOne(Count(11, minute: 10));

        Assert.Equal(11, Position.OnHand);
    }

    [Fact]
    public void A_stale_older_count_is_recorded_as_a_zero_change_and_ignored()
    {
        _ledger.Apply(Count(7, minute: 20));
        var linesBefore = _ledger.Lines.Count;

        var change = ApplyOne(Count(50, minute: 10));

        Assert.True(change.Delta.IsZero);
        Assert.Equal(change.Before, change.After);
        Assert.StartsWith("Stale count", change.Note, StringComparison.Ordinal);
        Assert.Equal(7, Position.OnHand);
        Assert.Equal(At(20), Position.CountedAsOf);
        Assert.Equal(linesBefore + 1, _ledger.Lines.Count);
        Assert.True(_ledger.Lines[^1].Delta.IsZero);
    }

    [Fact]
    public void A_second_count_for_the_same_instant_is_treated_as_stale()
    {
        _ledger.Apply(Count(7, minute: 20));

        var change = ApplyOne(Count(8, minute: 20));

        Assert.True(change.Delta.IsZero);
        Assert.Equal(7, Position.OnHand);
    }

    [Fact]
    public void A_newer_count_replaces_an_older_one()
    {
        _ledger.Apply(Count(7, minute: 10));
        _ledger.Apply(Sale(2, minute: 15));

        ApplyOne(Count(4, minute: 20));

        Assert.Equal(4, Position.OnHand);
        Assert.Equal(At(20), Position.CountedAsOf);
    }

    [Fact]
    public void A_late_delta_between_two_counts_is_inside_the_newer_count()
    {
        _ledger.Apply(Count(7, minute: 10));
        _ledger.Apply(Count(4, minute: 20));

        ApplyOne(Sale(2, minute: 15));

        Assert.Equal(4, Position.OnHand);
    }

    [Fact]
    public void A_count_that_later_deltas_would_take_below_zero_is_refused()
    {
        _ledger.Apply(Receipt(10, minute: 0));
        _ledger.Apply(Sale(8, minute: 20));

        var rejected = Assert.IsType<MovementOutcome.Rejected>(_ledger.Apply(Count(3, minute: 10)));

        Assert.Equal(RejectionKind.NegativeBucket, rejected.Kind);
        Assert.Contains("would leave OnHand at -5 for SKU-1@STORE-1", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(2, Position.OnHand);
        Assert.Null(Position.CountedAsOf);
    }

    [Fact]
    public void A_sale_after_a_count_that_exceeds_the_counted_stock_is_refused()
    {
        _ledger.Apply(Receipt(10, minute: 0));
        _ledger.Apply(Count(3, minute: 10));

        var rejected = Assert.IsType<MovementOutcome.Rejected>(_ledger.Apply(Sale(4, minute: 11)));

        Assert.Equal(RejectionKind.NegativeBucket, rejected.Kind);
        Assert.Equal(3, Position.OnHand);
    }

    [Fact]
    public void A_count_at_one_location_does_not_suppress_late_deltas_at_another()
    {
        _ledger.Apply(Count(7, minute: 10));

        _ledger.Apply(Receipt(5, minute: 5, location: Warehouse));

        Assert.Equal(5, _ledger.GetPosition(WarehouseKey).OnHand);
    }

    [Fact]
    public void A_late_safety_stock_adjustment_before_a_count_still_applies()
    {
        _ledger.Apply(Count(10, minute: 10));

        ApplyOne(Adjust(3, InventoryBucket.SafetyStock, minute: 5));

        Assert.Equal(3, Position.SafetyStock);
        Assert.Equal(7, Position.AvailableToSell);
    }
}
