namespace StockSync.Adapters.Pos.Tests;

public sealed class PosJournalValidatorTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_batch_of_sales_returns_and_handovers_is_valid()
    {
        var batch = new PosJournalBatch
        {
            StoreNumber = "0042",
            Entries =
            [
                new() { Sequence = 1, Type = PosEntryType.Sale, OccurredAt = At, TransactionId = "T-1", Lines = [new() { Barcode = "501", Quantity = 2 }] },
                new() { Sequence = 2, Type = PosEntryType.Return, OccurredAt = At, TransactionId = "R-2", OriginalTransactionId = "T-1", Lines = [new() { Barcode = "501", Quantity = 1 }] },
                new() { Sequence = 3, Type = PosEntryType.PickupHandover, OccurredAt = At, TransactionId = "H-3", OrderId = "CC-1" },
            ],
        };

        Assert.Empty(PosJournalValidator.Validate(batch));
    }

    [Fact]
    public void Every_bad_field_is_named()
    {
        var batch = new PosJournalBatch
        {
            StoreNumber = " ",
            Entries =
            [
                new() { Sequence = 0, Type = PosEntryType.Sale, OccurredAt = At, TransactionId = "T-0", Lines = [new() { Barcode = "501", Quantity = 0 }] },
                new() { Sequence = 2, Type = PosEntryType.Sale, OccurredAt = default, TransactionId = "", Lines = [] },
                new() { Sequence = 2, Type = PosEntryType.PickupHandover, OccurredAt = At, TransactionId = "H-2", Lines = [new() { Barcode = "501", Quantity = 1 }] },
                new() { Sequence = 4, Type = PosEntryType.Sale, OccurredAt = At, TransactionId = "T-4", OrderId = "CC-1", OriginalTransactionId = "T-1", Lines = [new() { Barcode = "501", Quantity = 1 }] },
                new() { Sequence = 5, Type = (PosEntryType)7, OccurredAt = At, TransactionId = "T-5", Lines = [new() { Barcode = "501", Quantity = 1 }] },
            ],
        };

        var fields = PosJournalValidator.Validate(batch).Select(p => p.Field).ToHashSet();

        Assert.Equal(
            new HashSet<string>
            {
                "storeNumber",
                "entries[0].sequence", "entries[0].lines[0].quantity",
                "entries[1].occurredAt", "entries[1].transactionId", "entries[1].lines",
                "entries[2].sequence", "entries[2].orderId", "entries[2].lines",
                "entries[3].orderId", "entries[3].originalTransactionId",
                "entries[4].type",
            },
            fields);
    }

    [Fact]
    public void An_empty_or_oversized_upload_is_refused()
    {
        Assert.Equal("entries", Assert.Single(PosJournalValidator.Validate("0042", [])).Field);
        var tooMany = Enumerable.Range(1, PosJournalValidator.MaxEntries + 1)
            .Select(i => new PosJournalEntry { Sequence = i, Type = PosEntryType.Sale, OccurredAt = At, TransactionId = $"T-{i}", Lines = [new() { Barcode = "501", Quantity = 1 }] })
            .ToList();
        Assert.Equal("entries", Assert.Single(PosJournalValidator.Validate("0042", tooMany)).Field);
    }
}
