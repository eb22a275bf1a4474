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
    /// Returns the messages among <paramref name="claims"/> that their consumer already consumed (and counts the repeat
    /// on their rows); adds inbox rows for the rest to <paramref name="db"/>, to be saved with the caller's effects. One
    /// query, whatever the number of consumers (message ids are unique, so they find the rows; the consumer is checked
    /// in memory). A concurrent consumer of the same message makes that save fail on the key, and the retry then sees
    /// the message as consumed.
    /// </summary>
    public static async Task<IReadOnlySet<(Guid ConsumerId, Guid MessageId)>> ClaimAsync(
        StockSyncDbContext db, IReadOnlyCollection<InboxClaim> claims, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(claims);
        var wanted = claims.DistinctBy(c => (c.ConsumerId, c.MessageId)).ToList();
        var ids = wanted.Select(c => c.MessageId).Distinct().ToList();
        var pairs = wanted.Select(c => (c.ConsumerId, c.MessageId)).ToHashSet();
        var consumed = (await db.InboxStates.AsNoTracking()
                .Where(i => ids.Contains(i.MessageId))
                .Select(i => new { i.ConsumerId, i.MessageId })
                .ToListAsync(ct).ConfigureAwait(false))
            .Select(i => (i.ConsumerId, i.MessageId))
            .Where(pairs.Contains)
            .ToHashSet();
        foreach (var consumer in consumed.GroupBy(c => c.ConsumerId))
        {
            var repeated = consumer.Select(c => c.MessageId).ToList();
            await db.InboxStates.Where(i => i.ConsumerId == consumer.Key && repeated.Contains(i.MessageId))
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.ReceiveCount, i => i.ReceiveCount + 1).SetProperty(i => i.LastDuplicateAt, now), ct)
                .ConfigureAwait(false);
        }

        foreach (var claim in wanted.Where(c => !consumed.Contains((c.ConsumerId, c.MessageId))))
        {
            db.InboxStates.Add(new InboxStateRecord
            {
                MessageId = claim.MessageId,
                ConsumerId = claim.ConsumerId,
                Consumer = claim.Consumer,
                ReceivedAt = now,
                ConsumedAt = now,
                ReceiveCount = 1,
            });
        }

        return consumed;
    }
}

/// <summary>One transport message one consumer takes: <see cref="InboxBook.ClaimAsync"/> records it or finds it consumed.</summary>
/// <param name="ConsumerId">Stable id of the consumer on its endpoint.</param>
/// <param name="Consumer">Readable name: <c>endpoint/consumer type</c>.</param>
/// <param name="MessageId">The transport message id.</param>
public sealed record InboxClaim(Guid ConsumerId, string Consumer, Guid MessageId);
