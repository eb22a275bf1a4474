using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>Which applied movements become postings, and what the ERP receives for them.</summary>
public sealed class ErpPostingDocumentTests
{
    private static readonly IReadOnlyList<string> Excluded = ["erp"];

    private static AppliedMovement Movement(string type, int quantity = 2, InventoryBucket? bucket = null, string source = "pos:store-1") => new()
    {
        MovementType = type,
        SourceSystem = source,
        SourceMessageId = "M-1",
        OccurredAt = ErpTestBed.Start,
        Sku = "SKU-1",
        LocationId = "STORE-1",
        Quantity = quantity,
        ReasonCode = type == nameof(InventoryAdjusted) ? "SHRINK" : null,
        Bucket = bucket,
        Reference = "T-1",
    };

    [Fact]
    public void A_sale_becomes_a_sale_posting_named_after_its_movement()
    {
        var posting = ErpPostingDocument.For(Movement(nameof(SaleRecorded)), Excluded)!;

        Assert.Equal("sale:pos:store-1:M-1", posting.PostingId);
        Assert.Equal(
            """{"postingId":"sale:pos:store-1:M-1","kind":"Sale","occurredAt":"2026-11-23T09:00:00+00:00","locationId":"STORE-1","reference":"T-1","source":{"system":"pos:store-1","messageId":"M-1"},"lines":[{"sku":"SKU-1","quantity":2}]}""",
            posting.ToJson());
    }

    [Fact]
    public void A_return_and_adjustments_of_physical_stock_are_posted_with_their_reason_and_bucket()
    {
        Assert.Equal(ErpPostingKind.Return, ErpPostingDocument.For(Movement(nameof(ReturnReceived)), Excluded)!.Kind);
        var shrink = ErpPostingDocument.For(Movement(nameof(InventoryAdjusted), -3, InventoryBucket.OnHand), Excluded)!;
        Assert.Equal((ErpPostingKind.Adjustment, "SHRINK", -3, "OnHand"), (shrink.Kind, shrink.ReasonCode, shrink.Lines[0].Quantity, shrink.Lines[0].Bucket));
        Assert.Equal("Damaged", ErpPostingDocument.For(Movement(nameof(InventoryAdjusted), 1, InventoryBucket.Damaged), Excluded)!.Lines[0].Bucket);
    }

    [Theory]
    [InlineData(QuarantineDisposition.ReturnToVendor, "RETURN_TO_VENDOR")]
    [InlineData(QuarantineDisposition.Dispose, "DISPOSED")]
    public void Returned_units_that_leave_the_stock_are_booked_out_with_the_disposition_as_reason(QuarantineDisposition disposition, string reason)
    {
        var posting = ErpPostingDocument.For(Movement(nameof(QuarantineDispositioned), 2) with { Disposition = disposition }, Excluded)!;

        Assert.Equal(("disposition:pos:store-1:M-1", ErpPostingKind.Adjustment, reason), (posting.PostingId, posting.Kind, posting.ReasonCode));
        Assert.Equal((-2, "OnHand"), (posting.Lines[0].Quantity, posting.Lines[0].Bucket));
    }

    [Theory]
    [InlineData(QuarantineDisposition.Restock)]
    [InlineData(QuarantineDisposition.Damaged)]
    public void Returned_units_that_stay_on_hand_are_not_posted(QuarantineDisposition disposition) =>
        Assert.Null(ErpPostingDocument.For(Movement(nameof(QuarantineDispositioned), 2) with { Disposition = disposition }, Excluded));

    [Theory]
    [InlineData(nameof(StockReserved))]
    [InlineData(nameof(ReservationCommitted))]
    [InlineData(nameof(FulfillmentShipped))]
    [InlineData(nameof(ReceiptPosted))]
    [InlineData(nameof(StockCounted))]
    [InlineData(nameof(TransferShipped))]
    public void Movements_the_ERP_does_not_take_from_StockSync_are_not_posted(string type) =>
        Assert.Null(ErpPostingDocument.For(Movement(type), Excluded));

    [Fact]
    public void A_safety_stock_change_is_StockSyncs_own_buffer_and_is_not_posted() =>
        Assert.Null(ErpPostingDocument.For(Movement(nameof(InventoryAdjusted), 5, InventoryBucket.SafetyStock), Excluded));

    [Fact]
    public void The_ERPs_own_movements_are_not_posted_back_to_it() =>
        Assert.Null(ErpPostingDocument.For(Movement(nameof(InventoryAdjusted), -1, InventoryBucket.OnHand, source: "erp"), Excluded));

    [Fact]
    public void A_requested_shipment_keeps_its_id_order_and_lines()
    {
        var posting = ErpPostingDocument.For(new ErpPostingRequested
        {
            PostingId = "shipment:O-1-S1",
            Kind = "Shipment",
            OrderId = "O-1",
            LocationId = "DC-1",
            Reference = "O-1-S1",
            Lines = [new OrderLine { Sku = "SKU-1", Quantity = 2 }, new OrderLine { Sku = "SKU-2", Quantity = 1 }],
            OccurredAt = ErpTestBed.Start,
        });

        Assert.Equal(("shipment:O-1-S1", "Shipment", "O-1", "DC-1", "O-1-S1"), (posting.PostingId, posting.Kind, posting.OrderId, posting.LocationId, posting.Reference));
        Assert.Equal([("SKU-1", 2), ("SKU-2", 1)], posting.Lines.Select(l => (l.Sku, l.Quantity)));
    }
}
