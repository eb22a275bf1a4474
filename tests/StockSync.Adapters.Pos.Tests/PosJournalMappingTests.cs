using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Pos.Tests;

public sealed class PosJournalMappingTests
{
    private const string Store = "0042";
    private const string Location = "STORE-042";
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, MappedSku> Skus = new(StringComparer.Ordinal)
    {
        ["5000000000011"] = new MappedSku("SKU-COLA", 1),
        ["5000000000028"] = new MappedSku("SKU-COLA", 6), // the six-pack barcode of the same SKU
        ["5000000000035"] = new MappedSku("SKU-CRISPS", 1),
    };

    [Fact]
    public void Each_sale_line_becomes_a_sale_of_the_mapped_sku_in_eaches_with_the_stores_source_sequence_and_line_message_id()
    {
        var entry = Sale(17, ("5000000000011", 2), ("5000000000028", 3), ("5000000000035", 1));

        var effects = Assert.Single(PosJournalMapping.Map(Store, Location, [entry], Skus));

        Assert.Null(effects.Handover);
        var sales = effects.Movements.Select(m => Assert.IsType<SaleRecorded>(m)).ToList();
        Assert.Equal(
            [("SKU-COLA", 2, "0042:17:1"), ("SKU-COLA", 18, "0042:17:2"), ("SKU-CRISPS", 1, "0042:17:3")],
            sales.Select(s => (s.Sku, s.Quantity, s.SourceMessageId)));
        Assert.All(sales, s =>
        {
            Assert.Equal("pos:STORE-042", s.SourceSystem);
            Assert.Equal(17, s.SourceSequence);
            Assert.Equal(Location, s.LocationId);
            Assert.Equal(At, s.OccurredAt);
            Assert.Equal("T-17", s.TransactionId);
        });
    }

    [Fact]
    public void A_return_line_becomes_a_return_received_naming_the_return_and_the_original_sale()
    {
        var entry = new PosJournalEntry
        {
            Sequence = 20,
            Type = PosEntryType.Return,
            OccurredAt = At,
            TransactionId = "R-20",
            OriginalTransactionId = "T-17",
            Lines = [new PosJournalLine { Barcode = "5000000000028", Quantity = 1 }],
        };

        var movement = Assert.Single(Assert.Single(PosJournalMapping.Map(Store, Location, [entry], Skus)).Movements);

        var received = Assert.IsType<ReturnReceived>(movement);
        Assert.Equal(("SKU-COLA", 6, "R-20", "T-17"), (received.Sku, received.Quantity, received.ReturnId, received.OriginalTransactionId));
        Assert.Equal(("pos:STORE-042", "0042:20:1", 20L), (received.SourceSystem, received.SourceMessageId, received.SourceSequence!.Value));
    }

    [Fact]
    public void A_pickup_handover_becomes_the_orders_collection_at_the_mapped_store_and_no_movement()
    {
        var entry = new PosJournalEntry { Sequence = 21, Type = PosEntryType.PickupHandover, OccurredAt = At, TransactionId = "H-21", OrderId = "CC-1001" };

        var effects = Assert.Single(PosJournalMapping.Map(Store, Location, [entry], Skus));

        Assert.Empty(effects.Movements);
        Assert.Equal("0042:21", effects.Handover!.SourceMessageId);
        Assert.Equal(
            new OrderCollected { OrderId = "CC-1001", StoreId = Location, HandoverId = "H-21", CollectedAt = At },
            effects.Handover.Message);
    }

    [Fact]
    public void The_same_entry_maps_to_the_same_message_ids_whatever_batch_it_arrives_in_and_entries_come_out_in_sequence_order()
    {
        var first = PosJournalMapping.Map(Store, Location, [Sale(3, ("5000000000011", 1)), Sale(1, ("5000000000035", 2)), Sale(2, ("5000000000011", 1))], Skus);
        var again = PosJournalMapping.Map(Store, Location, [Sale(2, ("5000000000011", 1))], Skus);

        Assert.Equal([1L, 2L, 3L], first.Select(e => e.Entry.Sequence));
        Assert.Equal(first[1].Movements, again[0].Movements);
        Assert.Equal(
            ["0042:1:1", "0042:2:1", "0042:3:1"],
            first.SelectMany(e => e.Movements).Select(m => m.SourceMessageId));
    }

    [Fact]
    public void Two_stores_sequences_are_separate_sources_and_their_message_ids_never_collide()
    {
        var a = Assert.Single(Assert.Single(PosJournalMapping.Map("0042", "STORE-042", [Sale(5, ("5000000000011", 1))], Skus)).Movements);
        var b = Assert.Single(Assert.Single(PosJournalMapping.Map("0043", "STORE-043", [Sale(5, ("5000000000011", 1))], Skus)).Movements);

        Assert.NotEqual((a.SourceSystem, a.SourceMessageId), (b.SourceSystem, b.SourceMessageId));
        Assert.Equal(("pos:STORE-043", "0043:5:1"), (b.SourceSystem, b.SourceMessageId));
    }

    [Fact]
    public void A_quantity_too_large_once_converted_refuses_the_batch_naming_the_entry_and_line()
    {
        var skus = new Dictionary<string, MappedSku>(StringComparer.Ordinal) { ["PALLET"] = new MappedSku("SKU-COLA", 100_000) };

        var refused = Assert.Throws<PosJournalRejectedException>(() => PosJournalMapping.Map(Store, Location, [Sale(9, ("PALLET", 100_000))], skus));

        Assert.Contains("entry 9, line 1", refused.Message, StringComparison.Ordinal);
    }

    private static PosJournalEntry Sale(long sequence, params (string Barcode, int Quantity)[] lines) => new()
    {
        Sequence = sequence,
        Type = PosEntryType.Sale,
        OccurredAt = At,
        TransactionId = $"T-{sequence}",
        Lines = [.. lines.Select(l => new PosJournalLine { Barcode = l.Barcode, Quantity = l.Quantity })],
    };
}
