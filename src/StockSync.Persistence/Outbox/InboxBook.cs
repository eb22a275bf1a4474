using Microsoft.EntityFrameworkCore;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// The inbox for consumers that take many messages at once (batch consumers): one query finds which of a batch's
/// messages were already consumed, and the others get inbox rows in the caller's transaction.
/// </summary>
public static class InboxBook
{
    /// <summary>
    /// Returns the ids among <paramref name="messageIds"/> that <paramref name="consumerId"/> already consumed (and
    /// counts the repeat on their rows); adds inbox rows for the rest to <paramref name="db"/>, to be saved with the
    /// caller's effects. A concurrent consumer of the same message makes that save fail on the key, and the retry
    /// then sees the message as consumed.
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> ClaimAsync(
        StockSyncDbContext db, Guid consumerId, string consumer, IReadOnlyCollection<Guid> messageIds, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(messageIds);
        var ids = messageIds.Distinct().ToList();
        var consumed = (await db.InboxStates.AsNoTracking()
                .Where(i => i.ConsumerId == consumerId && ids.Contains(i.MessageId))
                .Select(i => i.MessageId)
                .ToListAsync(ct).ConfigureAwait(false))
            .ToHashSet();
        if (consumed.Count > 0)
        {
            await db.InboxStates.Where(i => i.ConsumerId == consumerId && consumed.Contains(i.MessageId))
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.ReceiveCount, i => i.ReceiveCount + 1).SetProperty(i => i.LastDuplicateAt, now), ct)
                .ConfigureAwait(false);
        }

        foreach (var id in ids.Where(id => !consumed.Contains(id)))
        {
            db.InboxStates.Add(new InboxStateRecord
            {
                MessageId = id,
                ConsumerId = consumerId,
                Consumer = consumer,
                ReceivedAt = now,
                ConsumedAt = now,
                ReceiveCount = 1,
            });
        }

        return consumed;
    }
}
