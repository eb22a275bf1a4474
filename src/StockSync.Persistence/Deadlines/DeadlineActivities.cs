using MassTransit;

namespace StockSync.Persistence.Deadlines;

/// <summary>
/// The saga side of swept deadlines. A deadline event is published for the value the deadline column had when the
/// sweeper found it due; by the time the event arrives, the saga may have moved on (paid, cancelled, extended), so
/// the deadline it carries is stale. <see cref="IfDeadlineCurrent{TSaga, TEvent}"/> runs the expiry only if the column
/// still holds that exact deadline.
/// </summary>
public static class DeadlineActivities
{
    /// <summary>
    /// Runs <paramref name="activities"/> only when <paramref name="deadline"/> of the saga still equals the due time
    /// the event carries (to the millisecond, as databases round); otherwise the event is consumed without effect.
    /// <code>
    /// When(HoldExpired).IfDeadlineCurrent(s => s.HoldExpiresAt, e => e.DueAt, x => x.Then(Release).TransitionTo(Expired))
    /// </code>
    /// </summary>
    public static EventActivityBinder<TSaga, TEvent> IfDeadlineCurrent<TSaga, TEvent>(
        this EventActivityBinder<TSaga, TEvent> binder,
        Func<TSaga, DateTime?> deadline,
        Func<TEvent, DateTime> dueAt,
        Func<EventActivityBinder<TSaga, TEvent>, EventActivityBinder<TSaga, TEvent>> activities)
        where TSaga : class, SagaStateMachineInstance
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(binder);
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentNullException.ThrowIfNull(dueAt);
        return binder.If(context => IsCurrent(deadline(context.Saga), dueAt(context.Message)), activities);
    }

    /// <summary>Whether a deadline column still holds <paramref name="dueAt"/> (within a millisecond).</summary>
    public static bool IsCurrent(DateTime? column, DateTime dueAt) =>
        column is { } value && Math.Abs((value.ToUniversalTime() - dueAt.ToUniversalTime()).Ticks) < TimeSpan.TicksPerMillisecond;
}
