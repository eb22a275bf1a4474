using System.Text.Json;
using MassTransit;
using StockSync.Persistence;
using StockSync.Persistence.Reconciliation;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>
/// A document as read: its type and number (when it has them) and the JSON it was read as. Nothing else is looked at
/// before the consumer: a malformed document still travels, and faults there with its raw JSON kept for replay.
/// </summary>
public sealed record ReadDocument(string? DocumentType, string? DocumentNumber, string RawJson);

/// <summary>
/// Hands what the ERP feeds (REST or CSV) produce on, in one transaction each: master data is applied directly (it must
/// be in place before the documents that name it), documents and snapshot parts go to the bus through the
/// transactional outbox, each with its stable message id, together with the feed's new cursor, so that a crash never
/// loses a read and never skips one. Scoped: one per read.
/// </summary>
public sealed class ErpFeedIntake(StockSyncDbContext db, ErpMasterData master, IPublishEndpoint publisher, TimeProvider time)
{
    /// <summary>The cursor names in <c>feed_cursors</c>.</summary>
    public const string ItemsFeed = "erp:items";

    /// <inheritdoc cref="ItemsFeed"/>
    public const string SitesFeed = "erp:sites";

    /// <inheritdoc cref="ItemsFeed"/>
    public const string DocumentsFeed = "erp:documents";

    /// <summary>Applies items and sites, and moves the given cursors, in one transaction.</summary>
    public async Task ApplyMasterAsync(IReadOnlyList<ErpItem> items, IReadOnlyList<ErpSite> sites, IReadOnlyDictionary<string, string> cursors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cursors);
        // One SaveChanges: one transaction on every provider.
        await master.ApplySitesAsync(sites, ct).ConfigureAwait(false);
        await master.ApplyItemsAsync(items, ct).ConfigureAwait(false);
        await MoveCursorsAsync(cursors, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Hands documents on (each once per call, in the order given) and moves the given cursors.</summary>
    public async Task HandOnDocumentsAsync(IReadOnlyList<ReadDocument> documents, string readFrom, IReadOnlyDictionary<string, string> cursors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(cursors);
        var now = time.GetUtcNow();
        foreach (var (documentType, documentNumber, raw) in documents)
        {
            // A document without a type or number is handed on under a name from its content, to fault in the consumer.
            var type = string.IsNullOrWhiteSpace(documentType) ? "unknown-type" : documentType;
            var number = string.IsNullOrWhiteSpace(documentNumber)
                ? $"unnumbered-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw)).AsSpan(0, 8))}"
                : documentNumber;
            var messageId = ErpDocumentDownloaded.MessageIdFor(type, number);
            await publisher.Publish(
                new ErpDocumentDownloaded { DocumentType = type, DocumentNumber = number, RawJson = raw, ReadFrom = readFrom, DownloadedAt = now },
                Pipe.Execute<PublishContext>(c => c.MessageId = messageId),
                ct).ConfigureAwait(false);
        }

        await MoveCursorsAsync(cursors, ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Hands a snapshot on in parts of <paramref name="partSize"/> lines; returns the number of parts.</summary>
    public async Task<int> HandOnSnapshotAsync(string snapshotId, DateTimeOffset takenAt, IReadOnlyList<ErpSnapshotLine> lines, string readFrom, int partSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var now = time.GetUtcNow();
        var parts = Math.Max(1, (lines.Count + partSize - 1) / partSize);
        for (var part = 1; part <= parts; part++)
        {
            var chunk = lines.Skip((part - 1) * partSize).Take(partSize).ToList();
            var messageId = ErpSnapshotPartDownloaded.MessageIdFor(snapshotId, part);
            await publisher.Publish(
                new ErpSnapshotPartDownloaded
                {
                    SnapshotId = snapshotId,
                    TakenAt = takenAt,
                    Part = part,
                    Parts = parts,
                    RawJson = JsonSerializer.Serialize(chunk, ErpJson.Options),
                    ReadFrom = readFrom,
                    DownloadedAt = now,
                },
                Pipe.Execute<PublishContext>(c => c.MessageId = messageId),
                ct).ConfigureAwait(false);
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return parts;
    }

    private async Task MoveCursorsAsync(IReadOnlyDictionary<string, string> cursors, CancellationToken ct)
    {
        foreach (var (feed, cursor) in cursors)
        {
            await FeedCursors.SetAsync(db, feed, cursor, time.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
        }
    }
}
