using System.Text.Json.Serialization;

namespace StockSync.Adapters.Pos;

/// <summary>What a journal entry records at the till.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PosEntryType>))]
public enum PosEntryType
{
    /// <summary>A sale: the lines left the store with the customer.</summary>
    Sale,

    /// <summary>A customer return taken back at the till: the lines came back (into quarantine until inspected).</summary>
    Return,

    /// <summary>The pickup handover scan: a click-and-collect order was handed to its customer.</summary>
    PickupHandover,
}

/// <summary>
/// One upload of a store's journal (<c>POST /pos/journals</c>): the till's store number and entries, each numbered by
/// the store's own sequence. An offline store uploads everything it buffered when it is back, possibly in several
/// batches, possibly more than once and out of order: every entry applies once, and a number never received is reported.
/// </summary>
public sealed record PosJournalBatch
{
    /// <summary>The store number as the POS knows it (mapped through <c>/mappings/pos/locations/{storeNumber}</c>).</summary>
    public required string StoreNumber { get; init; }

    /// <summary>The journal entries, in any order.</summary>
    public required IReadOnlyList<PosJournalEntry> Entries { get; init; }
}

/// <summary>One entry of a store's journal.</summary>
public sealed record PosJournalEntry
{
    /// <summary>The store's sequence number of the entry (1, 2, 3, … per store, one per entry, whatever its type).</summary>
    public required long Sequence { get; init; }

    /// <summary>Sale, Return or PickupHandover.</summary>
    public required PosEntryType Type { get; init; }

    /// <summary>When it happened at the till.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The till's transaction (receipt) id.</summary>
    public required string TransactionId { get; init; }

    /// <summary>For a sale or a return: what was sold or taken back, by barcode. None for a handover.</summary>
    public IReadOnlyList<PosJournalLine>? Lines { get; init; }

    /// <summary>For a pickup handover: the click-and-collect order handed over.</summary>
    public string? OrderId { get; init; }

    /// <summary>For a return: the original sale's transaction id, if the till knows it.</summary>
    public string? OriginalTransactionId { get; init; }
}

/// <summary>One line of a sale or return: a barcode (the POS's SKU) and a quantity in the barcode's unit (a case barcode counts cases).</summary>
public sealed record PosJournalLine
{
    /// <summary>The scanned barcode (mapped through <c>/mappings/pos/skus/{barcode}</c>, with its units per external unit).</summary>
    public required string Barcode { get; init; }

    /// <summary>How many units of the barcode (at least 1).</summary>
    public required int Quantity { get; init; }
}

/// <summary>
/// The POS adapter's own message (not a canonical contract): a journal batch as the store sent it, in the store's ids,
/// taken in by <c>POST /pos/journals</c> and consumed on the <c>pos-journals</c> queue. A batch that cannot be mapped
/// faults with it, whole and unmapped, into <c>pos-journals_error</c>, from where it is replayed once the mapping exists.
/// </summary>
public sealed record PosJournalUploaded
{
    /// <summary>Identifies this upload (a re-upload of the same entries is a new batch; its entries still apply once).</summary>
    public required Guid BatchId { get; init; }

    /// <summary>When StockSync received it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The store number as the POS knows it.</summary>
    public required string StoreNumber { get; init; }

    /// <summary>The entries as the store sent them.</summary>
    public required IReadOnlyList<PosJournalEntry> Entries { get; init; }
}
