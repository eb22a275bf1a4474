using MassTransit;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Deadlines;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>
/// A marketplace order, from intake to hand-over. On <see cref="MarketplaceOrderReceived"/> every line is reserved or
/// rejected with the marketplace's reason code, and the acknowledgment is sent (AwaitingAcknowledgement, deadline
/// <c>acknowledgement_due_at</c>, warning <c>warning_at</c>). Failed attempts are retried with backoff
/// (<c>next_attempt_at</c>) until the deadline. Acknowledged, the accepted lines are HandedOver to fulfillment with the
/// units held for them; an order with every line rejected ends Rejected. A missed deadline alerts operators and waits in
/// AcknowledgementOverdue; a refused acknowledgment waits in AcknowledgementRefused; operators can ask for another
/// attempt in both. A marketplace cancellation releases the held units (Cancelled), or after hand-over is passed on to
/// fulfillment. The marketplace and its order id identify the saga: a re-delivered order starts nothing.
/// </summary>
public sealed class MarketplaceOrderStateMachine : MassTransitStateMachine<MarketplaceOrderState>
{
    private static readonly IReadOnlySet<string> DeadlineEvents = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(MarketplaceAcknowledgementWarningDue), nameof(MarketplaceAcknowledgementDeadlinePassed), nameof(MarketplaceAcknowledgementAttemptDue),
    };

    public MarketplaceOrderStateMachine()
    {
        InstanceState(s => s.CurrentState);
        Event(() => OrderReceived, e => e.CorrelateById(c => OrderIds.MarketplaceCorrelationIdFor(c.Message.Marketplace, c.Message.MarketplaceOrderId)));
        MarketplaceEvent(() => Acknowledged, m => (m.Marketplace, m.MarketplaceOrderId));
        MarketplaceEvent(() => AcknowledgementFailed, m => (m.Marketplace, m.MarketplaceOrderId));
        MarketplaceEvent(() => OrderCancelled, m => (m.Marketplace, m.MarketplaceOrderId));
        MarketplaceEvent(() => RetryRequested, m => (m.Marketplace, m.MarketplaceOrderId));
        DeadlineEvent(() => WarningDue, m => m.CorrelationId);
        DeadlineEvent(() => DeadlinePassed, m => m.CorrelationId);
        DeadlineEvent(() => AttemptDue, m => m.CorrelationId);
        OnUnhandledEvent(c => OrderFlowRefusals.OnUnhandled(c, OrderFlow.MarketplaceOrderIntake, s => s.OrderId, DeadlineEvents));
        this.ConnectStateObserver(new OrderStatusAnnouncer<MarketplaceOrderState>(OrderFlow.MarketplaceOrderIntake, _ => null, s => s.Reason));

        SetCompletedWhenFinalized(); // only an order whose ids cannot be stored is finalized: its row is never saved

        Initially(
            When(OrderReceived)
                .IfElse(
                    c => MarketplaceOrderSteps.IdsFit(c.Message),
                    storable => storable
                        .ThenAsync(c => Steps(c).ReceiveAsync(c))
                        .IfElse(c => c.Saga.AcknowledgementDueAt is not null, valid => valid.TransitionTo(AwaitingAcknowledgement), invalid => invalid.TransitionTo(Invalid)),
                    unstorable => unstorable.ThenAsync(MarketplaceOrderSteps.RefuseUnstorableAsync).Finalize()));

        DuringAny(When(OrderReceived).Then(MarketplaceOrderSteps.CountRedelivery));

        During(
            AwaitingAcknowledgement,
            When(AttemptDue).IfDeadlineCurrent(s => s.NextAttemptAt, e => e.DueAt, x => x.ThenAsync(c => Steps(c).AttemptAsync(c))),
            When(WarningDue).IfDeadlineCurrent(s => s.WarningAt, e => e.DueAt, x => x.ThenAsync(c => Steps(c).WarnAsync(c))),
            When(DeadlinePassed).IfDeadlineCurrent(s => s.AcknowledgementDueAt, e => e.DueAt, x => x
                .ThenAsync(c => Steps(c).MissDeadlineAsync(c))
                .TransitionTo(AcknowledgementOverdue)),
            When(AcknowledgementFailed).If(MarketplaceOrderSteps.IsLatest, latest => latest.IfElse(
                c => c.Message.Retryable,
                retryable => retryable.Then(c => Steps(c).RecordFailure(c)),
                refused => refused
                    .Then(c => Steps(c).RecordFailure(c))
                    .ThenAsync(c => Steps(c).RefuseAsync(c))
                    .TransitionTo(AcknowledgementRefused))));

        During(
            AcknowledgementOverdue,
            AcknowledgementRefused,
            When(AcknowledgementFailed).If(MarketplaceOrderSteps.IsLatest, latest => latest.Then(c => Steps(c).RecordFailure(c))));

        During(
            AwaitingAcknowledgement,
            AcknowledgementOverdue,
            AcknowledgementRefused,
            When(RetryRequested).ThenAsync(c => Steps(c).AttemptAsync(c)),
            When(Acknowledged)
                .ThenAsync(c => Steps(c).AcknowledgeAsync(c))
                .IfElse(c => c.Saga.AcceptedLines > 0, handed => handed.TransitionTo(HandedOver), rejected => rejected.TransitionTo(Rejected)),
            When(OrderCancelled)
                .ThenAsync(c => Steps(c).ReleaseAsync(c))
                .TransitionTo(Cancelled));

        During(
            HandedOver,
            When(OrderCancelled).ThenAsync(MarketplaceOrderSteps.ForwardCancellationAsync));

        // Late answers to attempts of an order that has moved on change nothing.
        During(HandedOver, Rejected, Cancelled, Invalid, Ignore(Acknowledged), Ignore(AcknowledgementFailed));
        During(Rejected, Cancelled, Invalid, Ignore(OrderCancelled));
    }

    /// <summary>Lines decided and held; the acknowledgment is being sent (deadlines: warning, deadline, next attempt).</summary>
    public State AwaitingAcknowledgement { get; private set; } = null!;

    /// <summary>The deadline passed unacknowledged; operators were alerted; the stock stays held.</summary>
    public State AcknowledgementOverdue { get; private set; } = null!;

    /// <summary>The marketplace refused the acknowledgment (not a transient failure); operators were alerted.</summary>
    public State AcknowledgementRefused { get; private set; } = null!;

    /// <summary>Acknowledged; the accepted lines were handed to fulfillment (the order's row in <c>order_fulfillment_sagas</c>).</summary>
    public State HandedOver { get; private set; } = null!;

    /// <summary>Every line was rejected, and the marketplace was told (final).</summary>
    public State Rejected { get; private set; } = null!;

    /// <summary>Cancelled by the marketplace before hand-over; the held units were released (final).</summary>
    public State Cancelled { get; private set; } = null!;

    /// <summary>The order was malformed (final); the reason is on the row.</summary>
    public State Invalid { get; private set; } = null!;

    public Event<MarketplaceOrderReceived> OrderReceived { get; private set; } = null!;

    public Event<MarketplaceOrderAcknowledged> Acknowledged { get; private set; } = null!;

    public Event<MarketplaceAcknowledgementFailed> AcknowledgementFailed { get; private set; } = null!;

    public Event<MarketplaceOrderCancelled> OrderCancelled { get; private set; } = null!;

    public Event<RetryMarketplaceAcknowledgement> RetryRequested { get; private set; } = null!;

    public Event<MarketplaceAcknowledgementWarningDue> WarningDue { get; private set; } = null!;

    public Event<MarketplaceAcknowledgementDeadlinePassed> DeadlinePassed { get; private set; } = null!;

    public Event<MarketplaceAcknowledgementAttemptDue> AttemptDue { get; private set; } = null!;

    private static MarketplaceOrderSteps Steps(ConsumeContext context) => context.GetServiceOrCreateInstance<MarketplaceOrderSteps>();

    private void MarketplaceEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> property, Func<T, (string Marketplace, string MarketplaceOrderId)> key)
        where T : class =>
        Event(property, e =>
        {
            e.CorrelateById(c => OrderIds.MarketplaceCorrelationIdFor(key(c.Message).Marketplace, key(c.Message).MarketplaceOrderId));
            e.OnMissingInstance(m => m.ExecuteAsync(c => throw new UnknownOrderException(
                $"{typeof(T).Name} names {key(c.Message).Marketplace} order '{key(c.Message).MarketplaceOrderId}', which no marketplace intake has: check the marketplace and order id, then replay the message from the error queue.")));
        });

    private void DeadlineEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> property, Func<T, Guid> correlationId)
        where T : class =>
        Event(property, e =>
        {
            e.CorrelateById(c => correlationId(c.Message));
            e.OnMissingInstance(m => m.Discard());
        });
}
