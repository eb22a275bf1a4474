using StockSync.Contracts.Inventory;
using static StockSync.Inventory.Tests.Movements;

namespace StockSync.Inventory.Tests;

/// <summary>Structural checks every intake uses: each rule, named by the field's wire name.</summary>
public sealed class MovementValidatorTests
{
    private static ValidationProblem SingleProblem(StockMovement movement) => Assert.Single(MovementValidator.Validate(movement));

    public static TheoryData<string> MovementTypes() => [.. OneOfEach().Keys];

    public static TheoryData<string> PositiveQuantityTypes() =>
        [.. OneOfEach().Where(m => m.Value is not (InventoryAdjusted or StockCounted)).Select(m => m.Key)];

    [Theory]
    [MemberData(nameof(MovementTypes))]
    public void A_well_formed_movement_of_every_type_is_valid(string type) =>
        Assert.Empty(MovementValidator.Validate(OneOfEach()[type]));

    [Fact]
    public void A_missing_movement_is_reported() =>
        Assert.Equal(new ValidationProblem("movement", "The movement is missing."), Assert.Single(MovementValidator.Validate(null)));

    [Theory]
    [InlineData("sourceSystem")]
    [InlineData("sourceMessageId")]
    [InlineData("sku")]
    [InlineData("locationId")]
    public void Every_shared_id_is_required(string field)
    {
        foreach (var blank in new[] { null!, "", "   " })
        {
            var problem = SingleProblem(WithId(Receipt(1), field, blank));
            Assert.Equal(new ValidationProblem(field, "A value is required."), problem);
        }
    }

    [Theory]
    [InlineData("sourceSystem")]
    [InlineData("sourceMessageId")]
    [InlineData("sku")]
    [InlineData("locationId")]
    public void An_id_longer_than_128_characters_is_refused(string field)
    {
        Assert.Empty(MovementValidator.Validate(WithId(Receipt(1), field, new string('x', MovementValidator.MaxIdLength))));

        var problem = SingleProblem(WithId(Receipt(1), field, new string('x', MovementValidator.MaxIdLength + 1)));

        Assert.Equal(new ValidationProblem(field, "The value cannot be longer than 128 characters."), problem);
    }

    [Theory]
    [InlineData("SKU\n1")]
    [InlineData("SKU\t1")]
    [InlineData("SKU\u00001")]
    public void An_id_with_control_characters_is_refused(string sku) =>
        Assert.Equal(new ValidationProblem("sku", "The value cannot contain control characters."), SingleProblem(Receipt(1) with { Sku = sku }));

    [Fact]
    public void The_time_the_movement_occurred_is_required() =>
        Assert.Equal("occurredAt", SingleProblem(Receipt(1) with { OccurredAt = default }).Field);

    [Fact]
    public void A_negative_sequence_number_is_refused_but_zero_is_fine()
    {
        Assert.Equal(new ValidationProblem("sourceSequence", "The sequence number cannot be negative."), SingleProblem(Receipt(1) with { SourceSequence = -1 }));
        Assert.Empty(MovementValidator.Validate(Receipt(1) with { SourceSequence = 0 }));
        Assert.Empty(MovementValidator.Validate(Receipt(1) with { SourceSequence = null }));
    }

    [Theory]
    [MemberData(nameof(PositiveQuantityTypes))]
    public void A_delta_movement_needs_a_positive_quantity(string type)
    {
        var movement = OneOfEach()[type];
        Assert.Equal(new ValidationProblem("quantity", "The quantity must be positive."), SingleProblem(movement with { Quantity = 0 }));
        Assert.Equal(new ValidationProblem("quantity", "The quantity must be positive."), SingleProblem(movement with { Quantity = -3 }));
    }

    [Theory]
    [MemberData(nameof(MovementTypes))]
    public void A_quantity_above_one_million_is_a_keying_error(string type)
    {
        var movement = OneOfEach()[type];

        Assert.Empty(MovementValidator.Validate(movement with { Quantity = MovementValidator.MaxQuantity }));
        Assert.Equal(
            new ValidationProblem("quantity", "The quantity cannot exceed 1000000 units."),
            SingleProblem(movement with { Quantity = MovementValidator.MaxQuantity + 1 }));
    }

    [Fact]
    public void An_adjustment_may_be_negative_but_not_zero()
    {
        Assert.Empty(MovementValidator.Validate(Adjust(-5)));
        Assert.Equal(
            new ValidationProblem("quantity", "An adjustment must change the quantity (it cannot be zero)."),
            SingleProblem(Adjust(1) with { Quantity = 0 }));
    }

    [Theory]
    [InlineData(-1_000_001)]
    [InlineData(int.MinValue)]
    public void A_huge_negative_adjustment_is_a_keying_error(int delta) =>
        Assert.Equal("The quantity cannot exceed 1000000 units.", SingleProblem(Adjust(delta)).Message);

    [Fact]
    public void An_adjustment_without_a_reason_code_is_refused() =>
        Assert.Equal(new ValidationProblem("reasonCode", "A value is required."), SingleProblem(Adjust(2) with { ReasonCode = null }));

    [Theory]
    [InlineData(InventoryBucket.Reserved)]
    [InlineData(InventoryBucket.Allocated)]
    [InlineData(InventoryBucket.Quarantine)]
    [InlineData(InventoryBucket.InTransit)]
    [InlineData((InventoryBucket)99)]
    public void Only_OnHand_Damaged_and_SafetyStock_can_be_adjusted_directly(InventoryBucket bucket) =>
        Assert.Equal(
            new ValidationProblem("bucket", "Only OnHand, Damaged and SafetyStock can be adjusted directly."),
            SingleProblem(Adjust(2, bucket)));

    [Fact]
    public void A_count_of_zero_is_valid_but_a_negative_count_is_not()
    {
        Assert.Empty(MovementValidator.Validate(Count(0)));
        Assert.Equal(new ValidationProblem("quantity", "A counted quantity cannot be negative."), SingleProblem(Count(-1)));
    }

    [Fact]
    public void A_transfer_shipment_needs_a_transfer_id_and_a_destination()
    {
        Assert.Equal(new ValidationProblem("transferId", "A value is required."), SingleProblem(Ship(1) with { TransferId = "" }));
        Assert.Equal(new ValidationProblem("destinationLocationId", "A value is required."), SingleProblem(Ship(1) with { DestinationLocationId = " " }));
    }

    [Fact]
    public void A_transfer_cannot_ship_to_the_location_it_leaves() =>
        Assert.Equal(
            new ValidationProblem("destinationLocationId", "A transfer cannot ship to the location it leaves."),
            SingleProblem(Ship(1, from: Store, to: Store)));

    [Fact]
    public void A_transfer_receipt_needs_a_transfer_id_and_an_origin()
    {
        Assert.Equal(new ValidationProblem("transferId", "A value is required."), SingleProblem(ReceiveTransfer(1) with { TransferId = "" }));
        Assert.Equal(new ValidationProblem("originLocationId", "A value is required."), SingleProblem(ReceiveTransfer(1) with { OriginLocationId = "" }));
    }

    [Fact]
    public void Reservation_movements_need_the_reservation_id()
    {
        Assert.Equal("reservationId", SingleProblem(Reserve(1) with { ReservationId = "" }).Field);
        Assert.Equal("reservationId", SingleProblem(Release(1) with { ReservationId = "" }).Field);
        Assert.Equal("reservationId", SingleProblem(Commit(1) with { ReservationId = "" }).Field);
    }

    [Fact]
    public void A_reservation_does_not_need_a_channel() =>
        Assert.Empty(MovementValidator.Validate(Reserve(1) with { ChannelId = null }));

    [Fact]
    public void Order_movements_need_the_order_id()
    {
        Assert.Equal(new ValidationProblem("orderId", "A value is required."), SingleProblem(Commit(1) with { OrderId = "" }));
        Assert.Equal(new ValidationProblem("orderId", "A value is required."), SingleProblem(Fulfil(1) with { OrderId = "" }));
        Assert.Equal(new ValidationProblem("orderId", "A value is required."), SingleProblem(ReleaseAllocation(1) with { OrderId = "" }));
    }

    [Fact]
    public void An_unknown_disposition_is_refused() =>
        Assert.Equal(
            new ValidationProblem("disposition", "The disposition is not one of Restock, Damaged, ReturnToVendor, Dispose."),
            SingleProblem(Disposition(1, (QuarantineDisposition)42)));

    [Fact]
    public void Every_problem_is_reported_at_once_in_field_order()
    {
        var movement = Ship(0, from: Store, to: Store) with { SourceSystem = "", Sku = "", OccurredAt = default, TransferId = "" };

        var fields = MovementValidator.Validate(movement).Select(p => p.Field);

        Assert.Equal(["sourceSystem", "sku", "occurredAt", "quantity", "transferId", "destinationLocationId"], fields);
    }

    [Fact]
    public void A_problem_reads_as_field_colon_message() =>
        Assert.Equal("sku: A value is required.", new ValidationProblem("sku", "A value is required.").ToString());

    private static StockMovement WithId(StockMovement movement, string field, string value) => field switch
    {
        "sourceSystem" => movement with { SourceSystem = value },
        "sourceMessageId" => movement with { SourceMessageId = value },
        "sku" => movement with { Sku = value },
        _ => movement with { LocationId = value },
    };
}
