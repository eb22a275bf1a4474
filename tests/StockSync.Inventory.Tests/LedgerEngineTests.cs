using StockSync.Contracts.Inventory;
using static StockSync.Inventory.Tests.Movements;

namespace StockSync.Inventory.Tests;

public sealed class LedgerEngineTests
{
    /// <summary>OnHand 20, Reserved 2, Allocated 2, Damaged 1, Quarantine 3, SafetyStock 1, InTransit 5: ATS 11.</summary>
    private static readonly StockPosition Start = new()
    {
        OnHand = 20,
        Reserved = 2,
        Allocated = 2,
        Damaged = 1,
        Quarantine = 3,
        SafetyStock = 1,
        InTransit = 5,
    };

    private readonly FakeLedgerState _state = new();

    public LedgerEngineTests() => _state.Positions[StoreKey] = Start;

    private MovementOutcome Decide(StockMovement movement) => LedgerEngine.Decide(movement, _state);

    private PositionChange SingleChange(StockMovement movement)
    {
        var applied = Assert.IsType<MovementOutcome.Applied>(Decide(movement));
        var change = Assert.Single(applied.Changes);
        Assert.Equal(StoreKey, change.Key);
        Assert.Equal(Start, change.Before);
        return change;
    }

    private MovementOutcome.Rejected Rejected(StockMovement movement, RejectionKind kind)
    {
        var rejected = Assert.IsType<MovementOutcome.Rejected>(Decide(movement));
        Assert.Equal(kind, rejected.Kind);
        return rejected;
    }

    [Fact]
    public void The_starting_position_has_eleven_available_to_sell() => Assert.Equal(11, Start.AvailableToSell);

    // ---- One test per movement type: the exact buckets and ATS after. ----

    [Fact]
    public void A_sale_takes_units_out_of_OnHand_and_ATS()
    {
        var change = SingleChange(Sale(3));
        Assert.Equal(Start with { OnHand = 17 }, change.After);
        Assert.Equal(new BucketDelta(OnHand: -3), change.Delta);
        Assert.Equal(8, change.After.AvailableToSell);
    }

    [Fact]
    public void A_customer_return_is_on_hand_but_quarantined_so_ATS_does_not_change()
    {
        var change = SingleChange(Return(2));
        Assert.Equal(Start with { OnHand = 22, Quarantine = 5 }, change.After);
        Assert.Equal(11, change.After.AvailableToSell);
    }

    [Fact]
    public void A_receipt_adds_sellable_units()
    {
        var change = SingleChange(Receipt(4));
        Assert.Equal(Start with { OnHand = 24 }, change.After);
        Assert.Equal(15, change.After.AvailableToSell);
    }

    [Theory]
    [InlineData(InventoryBucket.OnHand, -2, 18, 1, 1, 9)]
    [InlineData(InventoryBucket.OnHand, 3, 23, 1, 1, 14)]
    [InlineData(InventoryBucket.Damaged, 2, 20, 3, 1, 9)]
    [InlineData(InventoryBucket.Damaged, -1, 20, 0, 1, 12)]
    [InlineData(InventoryBucket.SafetyStock, 4, 20, 1, 5, 7)]
    [InlineData(InventoryBucket.SafetyStock, -1, 20, 1, 0, 12)]
    public void An_adjustment_changes_only_its_bucket(InventoryBucket bucket, int delta, int onHand, int damaged, int safetyStock, int ats)
    {
        var change = SingleChange(Adjust(delta, bucket));
        Assert.Equal(Start with { OnHand = onHand, Damaged = damaged, SafetyStock = safetyStock }, change.After);
        Assert.Equal(ats, change.After.AvailableToSell);
    }

    [Fact]
    public void A_transfer_shipment_leaves_the_origin_and_is_in_transit_to_the_destination()
    {
        var applied = Assert.IsType<MovementOutcome.Applied>(Decide(Ship(6, from: Store, to: Warehouse)));

        Assert.Equal(2, applied.Changes.Count);
        var origin = applied.Changes.Single(c => c.Key == StoreKey);
        var destination = applied.Changes.Single(c => c.Key == WarehouseKey);
        Assert.Equal(Start with { OnHand = 14 }, origin.After);
        Assert.Equal(5, origin.After.AvailableToSell);
        Assert.Equal(new StockPosition { InTransit = 6 }, destination.After);
        Assert.Equal(0, destination.After.AvailableToSell);
    }

    [Fact]
    public void A_transfer_receipt_moves_units_from_InTransit_to_OnHand()
    {
        var change = SingleChange(ReceiveTransfer(5, at: Store, from: Warehouse));
        Assert.Equal(Start with { OnHand = 25, InTransit = 0 }, change.After);
        Assert.Equal(16, change.After.AvailableToSell);
    }

    [Fact]
    public void A_reservation_holds_units_back_from_ATS()
    {
        var change = SingleChange(Reserve(4));
        Assert.Equal(Start with { Reserved = 6 }, change.After);
        Assert.Equal(7, change.After.AvailableToSell);
    }

    [Fact]
    public void Releasing_a_reservation_gives_the_units_back_to_ATS()
    {
        var change = SingleChange(Release(1));
        Assert.Equal(Start with { Reserved = 1 }, change.After);
        Assert.Equal(12, change.After.AvailableToSell);
    }

    [Fact]
    public void Committing_a_reservation_moves_it_to_Allocated_without_changing_ATS()
    {
        var change = SingleChange(Commit(2));
        Assert.Equal(Start with { Reserved = 0, Allocated = 4 }, change.After);
        Assert.Equal(11, change.After.AvailableToSell);
    }

    [Fact]
    public void A_fulfilment_takes_allocated_units_out_of_OnHand_without_changing_ATS()
    {
        var change = SingleChange(Fulfil(2));
        Assert.Equal(Start with { OnHand = 18, Allocated = 0 }, change.After);
        Assert.Equal(11, change.After.AvailableToSell);
    }

    [Fact]
    public void Quarantining_units_makes_them_unsellable()
    {
        var change = SingleChange(Quarantine(4));
        Assert.Equal(Start with { Quarantine = 7 }, change.After);
        Assert.Equal(7, change.After.AvailableToSell);
    }

    [Theory]
    [InlineData(QuarantineDisposition.Restock, 20, 1, 1, 13)]
    [InlineData(QuarantineDisposition.Damaged, 20, 1, 3, 11)]
    [InlineData(QuarantineDisposition.ReturnToVendor, 18, 1, 1, 11)]
    [InlineData(QuarantineDisposition.Dispose, 18, 1, 1, 11)]
    public void A_quarantine_disposition_moves_units_out_of_Quarantine(QuarantineDisposition disposition, int onHand, int quarantine, int damaged, int ats)
    {
        var change = SingleChange(Disposition(2, disposition));
        Assert.Equal(Start with { OnHand = onHand, Quarantine = quarantine, Damaged = damaged }, change.After);
        Assert.Equal(ats, change.After.AvailableToSell);
    }

    [Fact]
    public void A_count_sets_OnHand_and_leaves_the_other_buckets_alone()
    {
        var count = Count(12, minute: 30);
        var change = SingleChange(count);
        Assert.Equal(Start with { OnHand = 12, CountedAsOf = count.OccurredAt }, change.After);
        Assert.Equal(new BucketDelta(OnHand: -8), change.Delta);
        Assert.Equal(3, change.After.AvailableToSell);
    }

    // ---- Rejections: the kind and a reason naming the key, the bucket and the figures. ----

    [Fact]
    public void A_sale_larger_than_OnHand_is_refused_naming_the_bucket_and_key()
    {
        var rejected = Rejected(Sale(21), RejectionKind.NegativeBucket);
        Assert.Equal("SaleRecorded of 21 would drive OnHand negative for SKU-1@STORE-1 (it is 20).", rejected.Reason);
    }

    [Fact]
    public void A_sale_of_exactly_OnHand_is_accepted_even_though_units_are_held()
    {
        var change = SingleChange(Sale(20));
        Assert.Equal(0, change.After.OnHand);
        Assert.Equal(0, change.After.AvailableToSell);
    }

    [Theory]
    [InlineData(nameof(ReservationReleased), "Reserved", "(it is 2)")]
    [InlineData(nameof(ReservationCommitted), "Reserved", "(it is 2)")]
    [InlineData(nameof(FulfillmentShipped), "Allocated", "(it is 2)")]
    [InlineData(nameof(AllocationReleased), "Allocated", "(it is 2)")]
    [InlineData(nameof(QuarantineDispositioned), "Quarantine", "(it is 3)")]
    [InlineData(nameof(TransferReceived), "InTransit", "(it is 5)")]
    [InlineData("AdjustDamaged", "Damaged", "(it is 1)")]
    [InlineData("AdjustSafetyStock", "SafetyStock", "(it is 1)")]
    [InlineData("AdjustOnHand", "OnHand", "(it is 20)")]
    public void A_movement_that_would_drive_a_bucket_negative_is_refused(string movement, string bucket, string figure)
    {
        StockMovement m = movement switch
        {
            nameof(ReservationReleased) => Release(3),
            nameof(ReservationCommitted) => Commit(3),
            nameof(FulfillmentShipped) => Fulfil(3),
            nameof(AllocationReleased) => ReleaseAllocation(3),
            nameof(QuarantineDispositioned) => Disposition(4, QuarantineDisposition.Dispose),
            nameof(TransferReceived) => ReceiveTransfer(6),
            "AdjustDamaged" => Adjust(-2, InventoryBucket.Damaged),
            "AdjustSafetyStock" => Adjust(-2, InventoryBucket.SafetyStock),
            _ => Adjust(-21),
        };

        var rejected = Rejected(m, RejectionKind.NegativeBucket);

        Assert.Contains($"would drive {bucket} negative for SKU-1@STORE-1 {figure}", rejected.Reason, StringComparison.Ordinal);
        Assert.StartsWith(m.GetType().Name, rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transfer_larger_than_the_origin_OnHand_is_refused_and_nothing_goes_in_transit()
    {
        var rejected = Rejected(Ship(21, from: Store, to: Warehouse), RejectionKind.NegativeBucket);
        Assert.Equal("TransferShipped of 21 would drive OnHand negative for SKU-1@STORE-1 (it is 20).", rejected.Reason);
    }

    [Fact]
    public void A_reservation_larger_than_ATS_is_refused_so_holds_never_oversell()
    {
        var rejected = Rejected(Reserve(12), RejectionKind.InsufficientAvailable);
        Assert.Equal("Cannot reserve 12 of SKU-1@STORE-1: only 11 available to sell.", rejected.Reason);
    }

    [Fact]
    public void A_reservation_of_exactly_ATS_is_accepted_and_leaves_nothing_to_sell()
    {
        var change = SingleChange(Reserve(11));
        Assert.Equal(13, change.After.Reserved);
        Assert.Equal(0, change.After.AvailableToSell);
    }

    [Fact]
    public void A_reservation_is_refused_when_OnHand_is_covered_but_ATS_is_not()
    {
        // OnHand 20 would cover 15 units, but 9 are already held back (reserved, allocated, damaged, quarantined, safety).
        var rejected = Rejected(Reserve(15), RejectionKind.InsufficientAvailable);
        Assert.Contains("only 11 available to sell", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reservation_on_a_position_with_nothing_is_refused()
    {
        var rejected = Rejected(Reserve(1, location: Warehouse), RejectionKind.InsufficientAvailable);
        Assert.Equal("Cannot reserve 1 of SKU-1@DC-1: only 0 available to sell.", rejected.Reason);
    }

    [Fact]
    public void A_movement_for_an_unknown_SKU_is_refused_naming_the_SKU()
    {
        _state.UnknownSkus.Add(Sku);
        var rejected = Rejected(Receipt(1), RejectionKind.UnknownReference);
        Assert.Equal("Unknown SKU 'SKU-1': it is not in the item master.", rejected.Reason);
    }

    [Fact]
    public void A_movement_at_an_unknown_location_is_refused_naming_the_location()
    {
        _state.UnknownLocations.Add(Store);
        var rejected = Rejected(Receipt(1), RejectionKind.UnknownReference);
        Assert.Equal("Unknown location 'STORE-1': it is not in the location master.", rejected.Reason);
    }

    [Fact]
    public void A_transfer_to_an_unknown_destination_is_refused_naming_the_destination()
    {
        _state.UnknownLocations.Add("DC-9");
        var rejected = Rejected(Ship(1, from: Store, to: "DC-9"), RejectionKind.UnknownReference);
        Assert.Equal("Unknown location 'DC-9': it is not in the location master.", rejected.Reason);
    }

    [Fact]
    public void A_transfer_receipt_from_an_unknown_origin_is_refused_naming_the_origin()
    {
        _state.UnknownLocations.Add("DC-9");
        var rejected = Rejected(ReceiveTransfer(1, at: Store, from: "DC-9"), RejectionKind.UnknownReference);
        Assert.Equal("Unknown location 'DC-9': it is not in the location master.", rejected.Reason);
    }

    [Fact]
    public void A_count_at_an_unknown_location_is_refused()
    {
        _state.UnknownLocations.Add(Store);
        Rejected(Count(5), RejectionKind.UnknownReference);
    }

    [Fact]
    public void An_invalid_movement_is_refused_with_every_problem_named_by_field()
    {
        var rejected = Rejected(Sale(0) with { Sku = " " }, RejectionKind.Invalid);
        Assert.Equal("sku: A value is required.; quantity: The quantity must be positive.", rejected.Reason);
    }

    [Fact]
    public void Invalid_input_is_refused_before_the_catalogue_is_consulted()
    {
        _state.UnknownSkus.Add(Sku);
        Rejected(Sale(-1), RejectionKind.Invalid);
    }

    [Fact]
    public void A_missing_movement_is_refused_as_invalid()
    {
        var rejected = Rejected(null!, RejectionKind.Invalid);
        Assert.Equal("movement: The movement is missing.", rejected.Reason);
    }

    [Fact]
    public void Deciding_changes_nothing_by_itself()
    {
        Decide(Sale(5));
        Decide(Ship(5));
        Assert.Equal(Start, _state.GetPosition(StoreKey));
        Assert.False(_state.Positions.ContainsKey(WarehouseKey));
    }
}
