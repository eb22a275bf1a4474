using StockSync.Persistence;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>
/// An ERP stock document as read (from the REST feed or a CSV file), before its ids are mapped. The raw JSON is kept,
/// so a document with an unmapped item or site faults with its payload intact and is replayed once the mapping exists.
/// The message id comes from the document's type and number: the same document read twice, or by both channels, is
/// taken once by the consumer's inbox.
/// </summary>
public sealed record ErpDocumentDownloaded
{
    public required string DocumentType { get; init; }

    public required string DocumentNumber { get; init; }

    /// <summary>The document in the ERP's JSON (<see cref="ErpDocument"/>).</summary>
    public required string RawJson { get; init; }

    /// <summary>Where it was read: <c>rest</c>, or <c>csv:{file name}</c>.</summary>
    public required string ReadFrom { get; init; }

    public required DateTimeOffset DownloadedAt { get; init; }

    /// <summary>The message id of a document: the same for every read of it.</summary>
    public static Guid MessageIdFor(string documentType, string documentNumber) =>
        NameBasedIds.Create($"stocksync:erp-document:{documentType}:{documentNumber}");
}

/// <summary>One part of an ERP stock snapshot as read, in the ERP's ids (<see cref="ErpSnapshotLine"/>).</summary>
public sealed record ErpSnapshotPartDownloaded
{
    public required string SnapshotId { get; init; }

    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>This part's number, from 1.</summary>
    public required int Part { get; init; }

    public required int Parts { get; init; }

    /// <summary>The lines, in the ERP's JSON.</summary>
    public required string RawJson { get; init; }

    public required string ReadFrom { get; init; }

    public required DateTimeOffset DownloadedAt { get; init; }

    /// <summary>The message id of a part: the same for every read of it.</summary>
    public static Guid MessageIdFor(string snapshotId, int part) => NameBasedIds.Create($"stocksync:erp-snapshot:{snapshotId}:{part}");
}
