using System.Linq.Expressions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Outbox;
using StockSync.Persistence.Sagas;

namespace StockSync.Persistence.Deadlines;

/// <summary>One deadline column of one saga, swept by <see cref="DeadlineSweeper"/>.</summary>
public interface IDeadlineSweep
{
    /// <summary>The saga table and deadline column, for logs and the claims table.</summary>
    string Name { get; }

    /// <summary>Publishes (through the outbox) the event of every due, unclaimed deadline; returns how many this sweeper published.</summary>
    Task<int> SweepAsync(StockSyncDbContext db, TransactionalOutbox outbox, DeadlineSweepContext sweep, CancellationToken ct);
}

/// <summary>Who is sweeping, and when.</summary>
public sealed record DeadlineSweepContext(string SweeperId, DateTime Now, int BatchSize);

/// <summary>
/// A deadline column (<c>DateTime?</c>, UTC) on a saga's table and the event published when it falls due. The event
/// should carry the due time, so the saga can ignore a deadline it has already moved or passed.
/// </summary>
public sealed class DeadlineSweep<TSaga, TEvent> : IDeadlineSweep
    where TSaga : StockSyncSagaState
    where TEvent : class
{
    private readonly Expression<Func<TSaga, bool>> _due;
    private readonly Expression<Func<TSaga, DateTime?>> _column;
    private readonly Func<TSaga, DateTime?> _read;
    private readonly Func<TSaga, DateTime, TEvent> _createEvent;
    private readonly string _saga;
    private readonly string _deadline;

    /// <summary>Declares the sweep of <paramref name="deadline"/> on <typeparamref name="TSaga"/>.</summary>
    public DeadlineSweep(string sagaTable, Expression<Func<TSaga, DateTime?>> deadline, Func<TSaga, DateTime, TEvent> createEvent)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        _saga = sagaTable;
        _deadline = deadline.Body is MemberExpression member ? member.Member.Name : throw new ArgumentException("Name a property of the saga.", nameof(deadline));
        _column = deadline;
        _read = deadline.Compile();
        _createEvent = createEvent;
        _due = DueBefore(deadline);
    }

    /// <inheritdoc />
    public string Name => $"{_saga}.{_deadline}";

    /// <inheritdoc />
    public async Task<int> SweepAsync(StockSyncDbContext db, TransactionalOutbox outbox, DeadlineSweepContext sweep, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(sweep);
        var now = sweep.Now;
        var due = await db.Set<TSaga>().AsNoTracking()
            .Where(_due)
            .Where(DueBy(now))
            .OrderBy(_column)
            .Take(sweep.BatchSize)
            .ToListAsync(ct).ConfigureAwait(false);
        if (due.Count == 0)
        {
            return 0;
        }

        var ids = due.Select(s => s.CorrelationId).ToList();
        var claimed = (await db.DeadlineClaims.AsNoTracking()
                .Where(c => c.Saga == _saga && c.Deadline == _deadline && ids.Contains(c.CorrelationId))
                .Select(c => new { c.CorrelationId, c.DueAt })
                .ToListAsync(ct).ConfigureAwait(false))
            .Select(c => (c.CorrelationId, c.DueAt))
            .ToHashSet();

        var published = 0;
        foreach (var saga in due)
        {
            var dueAt = _read(saga)!.Value;
            if (!claimed.Contains((saga.CorrelationId, dueAt)) && await TryPublishAsync(db, outbox, saga, dueAt, sweep, ct).ConfigureAwait(false))
            {
                published++;
            }
        }

        return published;
    }

    /// <summary>
    /// Writes the claim row and the event's outbox row in one save. If another sweeper inserted the claim first, the
    /// key refuses this one and nothing is published; if the save fails for any other reason, neither row exists and
    /// the next sweep tries again.
    /// </summary>
    private async Task<bool> TryPublishAsync(StockSyncDbContext db, TransactionalOutbox outbox, TSaga saga, DateTime dueAt, DeadlineSweepContext sweep, CancellationToken ct)
    {
        db.ResetUnitOfWork();
        var claim = new DeadlineClaimRecord
        {
            Saga = _saga,
            CorrelationId = saga.CorrelationId,
            Deadline = _deadline,
            DueAt = dueAt,
            ClaimedBy = sweep.SweeperId,
            ClaimedAt = sweep.Now,
        };
        db.DeadlineClaims.Add(claim);
        var messageId = NewId.NextGuid();
        await outbox.PublishEndpoint.Publish(_createEvent(saga, dueAt), p => p.MessageId = messageId, ct).ConfigureAwait(false);
        claim.MessageId = messageId;
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ResetUnitOfWork();
            return false;
        }
    }

    private static Expression<Func<TSaga, bool>> DueBefore(Expression<Func<TSaga, DateTime?>> deadline) =>
        Expression.Lambda<Func<TSaga, bool>>(Expression.NotEqual(deadline.Body, Expression.Constant(null, typeof(DateTime?))), deadline.Parameters);

    /// <summary><c>deadline &lt;= now</c>, with <c>now</c> as a query parameter (read from a closure, as EF Core expects).</summary>
    private Expression<Func<TSaga, bool>> DueBy(DateTime now)
    {
        var clock = new Clock(now);
        var column = ((BinaryExpression)_due.Body).Left;
        var value = Expression.Convert(Expression.Property(Expression.Constant(clock), nameof(Clock.Now)), typeof(DateTime?));
        return Expression.Lambda<Func<TSaga, bool>>(Expression.LessThanOrEqual(column, value), _due.Parameters);
    }

    private sealed record Clock(DateTime Now);
}
