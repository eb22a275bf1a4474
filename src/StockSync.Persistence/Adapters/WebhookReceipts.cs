using Microsoft.EntityFrameworkCore;

namespace StockSync.Persistence.Adapters;

/// <summary>
/// Accepts a webhook exactly once: its receipt row and whatever <c>publish</c> writes to the bus outbox are saved in
/// one transaction. A webhook id already received is a duplicate, found by a read, or (when two deliveries race) by the
/// primary key refusing the second insert: either way the duplicate changes nothing.
/// </summary>
public sealed class WebhookReceipts(StockSyncDbContext db)
{
    /// <summary>
    /// Stores <paramref name="receipt"/> and the messages <paramref name="publish"/> puts in the outbox (through the
    /// scope's publish endpoint), in one save. Returns <see langword="false"/>, with nothing stored, when the webhook
    /// was received before.
    /// </summary>
    public async Task<bool> AcceptAsync(WebhookReceiptRecord receipt, Func<CancellationToken, Task> publish, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(publish);
        if (await ExistsAsync(receipt.Source, receipt.WebhookId, ct).ConfigureAwait(false))
        {
            return false;
        }

        db.Set<WebhookReceiptRecord>().Add(receipt);
        await publish(ct).ConfigureAwait(false);
        try
        {
            // One SaveChanges, one transaction: the receipt and the outbox row commit together or not at all.
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ResetUnitOfWork();
            if (await ExistsAsync(receipt.Source, receipt.WebhookId, ct).ConfigureAwait(false))
            {
                return false; // a concurrent delivery of the same webhook committed first
            }

            throw;
        }
    }

    /// <summary>Whether the webhook was received before.</summary>
    public Task<bool> ExistsAsync(string source, string webhookId, CancellationToken ct) =>
        db.Set<WebhookReceiptRecord>().AsNoTracking().AnyAsync(r => r.Source == source && r.WebhookId == webhookId, ct);
}
