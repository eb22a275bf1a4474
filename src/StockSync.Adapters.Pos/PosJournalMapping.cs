using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Pos;

/// <summary>
/// Turns a store's journal entries into canonical messages, once the store and its barcodes are mapped: a sale line
/// becomes <see cref="SaleRecorded"/>, a return line <see cref="ReturnReceived"/>, each quantity converted to eaches
/// (a case barcode of 6 sold twice is 12), and a pickup handover the click-and-collect <see cref="OrderCollected"/>.
/// Every movement is the store's: <see cref="StockMovement.SourceSystem"/> <c>pos:{location}</c>, the entry's sequence
/// number, and a source message id derived from the store number, the sequence number and the line
/// (<c>{store}:{sequence}:{line}</c>), so the same entry uploaded twice, or replayed hours later, is the same movement
/// and the ledger applies it once.
/// </summary>
public static class PosJournalMapping
{
    /// <summary>The external system name of the tills in the id mapping tables (<c>/mappings/pos/...</c>).</summary>
    public const string System = "pos";

    /// <summary>The source system of a store's movements: one sequence per store.</summary>
    public static string SourceSystemFor(string locationId) => $"{System}:{locationId}";

    /// <summary>The source message id of one line of one entry (lines numbered from 1).</summary>
    public static string LineMessageId(string storeNumber, long sequence, int lineNumber) => $"{storeNumber}:{sequence}:{lineNumber}";

    /// <summary>The source message id of a handover entry (it has no lines).</summary>
    public static string EntryMessageId(string storeNumber, long sequence) => $"{storeNumber}:{sequence}";

    /// <summary>
    /// Maps <paramref name="entries"/> (in any order) to their effects, lowest sequence number first.
    /// <paramref name="skus"/> must hold every barcode of the sale and return lines.
    /// </summary>
    /// <exception cref="PosJournalRejectedException">A converted quantity does not fit a movement's quantity.</exception>
    public static IReadOnlyList<PosEntryEffects> Map(string storeNumber, string locationId, IReadOnlyList<PosJournalEntry> entries, IReadOnlyDictionary<string, MappedSku> skus)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(skus);
        var source = SourceSystemFor(locationId);
        return [.. entries.OrderBy(e => e.Sequence).Select(entry => entry.Type switch
        {
            PosEntryType.PickupHandover => new PosEntryEffects(entry, [], new PosHandover(EntryMessageId(storeNumber, entry.Sequence), new OrderCollected
            {
                OrderId = entry.OrderId!,
                StoreId = locationId,
                HandoverId = entry.TransactionId,
                CollectedAt = entry.OccurredAt,
            })),
            _ => new PosEntryEffects(entry, [.. (entry.Lines ?? []).Select((line, index) => Movement(storeNumber, locationId, source, entry, line, index + 1, skus))], null),
        })];
    }

    private static StockMovement Movement(string storeNumber, string locationId, string source, PosJournalEntry entry, PosJournalLine line, int lineNumber, IReadOnlyDictionary<string, MappedSku> skus)
    {
        var sku = skus.TryGetValue(line.Barcode, out var mapped)
            ? mapped
            : throw new ArgumentException($"Barcode '{line.Barcode}' is not in the resolved mappings.", nameof(skus));
        int quantity;
        try
        {
            quantity = sku.ToCanonical(line.Quantity);
        }
        catch (OverflowException)
        {
            throw new PosJournalRejectedException(
                $"Store {storeNumber}, entry {entry.Sequence}, line {lineNumber}: {line.Quantity} × {sku.UnitsPerExternal} units of barcode '{line.Barcode}' is too large a quantity.");
        }

        var messageId = LineMessageId(storeNumber, entry.Sequence, lineNumber);
        return entry.Type switch
        {
            PosEntryType.Sale => new SaleRecorded
            {
                SourceSystem = source,
                SourceMessageId = messageId,
                SourceSequence = entry.Sequence,
                OccurredAt = entry.OccurredAt,
                Sku = sku.Sku,
                LocationId = locationId,
                Quantity = quantity,
                TransactionId = entry.TransactionId,
            },
            PosEntryType.Return => new ReturnReceived
            {
                SourceSystem = source,
                SourceMessageId = messageId,
                SourceSequence = entry.Sequence,
                OccurredAt = entry.OccurredAt,
                Sku = sku.Sku,
                LocationId = locationId,
                Quantity = quantity,
                ReturnId = entry.TransactionId,
                OriginalTransactionId = entry.OriginalTransactionId,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Type, "Only sales and returns have lines."),
        };
    }
}

/// <summary>What one journal entry means: its ledger movements (one per line) and, for a handover, the store event.</summary>
public sealed record PosEntryEffects(PosJournalEntry Entry, IReadOnlyList<StockMovement> Movements, PosHandover? Handover);

/// <summary>A pickup handover: the store event, and the source message id that records it was passed on once.</summary>
public sealed record PosHandover(string SourceMessageId, OrderCollected Message);

/// <summary>A journal batch that cannot be processed as it is (it faults to the error queue with this reason, without retries).</summary>
public sealed class PosJournalRejectedException : Exception
{
    public PosJournalRejectedException()
    {
    }

    public PosJournalRejectedException(string message)
        : base(message)
    {
    }

    public PosJournalRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
