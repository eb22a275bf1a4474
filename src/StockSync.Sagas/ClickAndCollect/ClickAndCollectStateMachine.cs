using MassTransit;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Deadlines;

namespace StockSync.Sagas.ClickAndCollect;

/// <summary>
/// Buy online, pick up in store. Reserved (hold, unpaid) → Picking (paid: allocated, the store is asked to pick) →
/// Picked → ReadyForPickup (pickup window, reminder) → Collected. Exits: Rejected (no stock; the nearest stores that
/// have it are named) and Released (hold expired, cancelled, window expired, or short-picked with no store to move to).
/// Every quantity effect is a ledger movement applied in the saga's transaction (<see cref="ClickAndCollectSteps"/>).
/// </summary>
public sealed class ClickAndCollectStateMachine : MassTransitStateMachine<ClickAndCollectState>
{
    private static readonly IReadOnlySet<string> DeadlineEvents = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(PickupHoldExpired), nameof(PickupReminderElapsed), nameof(PickupWindowExpired),
    };

    public ClickAndCollectStateMachine()
    {
        InstanceState(s => s.CurrentState);
        Event(() => ReserveForPickup, e => e.CorrelateById(c => OrderIds.CorrelationIdFor(c.Message.OrderId ?? string.Empty)));
        OrderEvent(() => PaymentConfirmed, m => m.OrderId);
        OrderEvent(() => OrderPicked, m => m.OrderId);
        OrderEvent(() => OrderShortPicked, m => m.OrderId);
        OrderEvent(() => OrderReadyForPickup, m => m.OrderId);
        OrderEvent(() => OrderCollected, m => m.OrderId);
        OrderEvent(() => CancelOrder, m => m.OrderId);
        DeadlineEvent(() => PickupHoldExpired, m => m.CorrelationId);
        DeadlineEvent(() => PickupReminderElapsed, m => m.CorrelationId);
        DeadlineEvent(() => PickupWindowExpired, m => m.CorrelationId);
        OnUnhandledEvent(c => OrderFlowRefusals.OnUnhandled(c, OrderFlow.ClickAndCollect, s => s.OrderId, DeadlineEvents));
        this.ConnectStateObserver(new OrderStatusAnnouncer<ClickAndCollectState>(OrderFlow.ClickAndCollect, s => s.StoreId, s => s.Reason));
        SetCompletedWhenFinalized(); // only a refused, reused order id is finalized: its row is never stored

        Initially(
            When(ReserveForPickup)
                .IfElseAsync(
                    c => OrderFlowRefusals.OtherFlowHasAsync(c, OrderFlow.ClickAndCollect, c.Message.OrderId ?? string.Empty),
                    reused => reused.RefuseReusedOrderId(),
                    fresh => fresh
                        .ThenAsync(c => Steps(c).ReserveAsync(c))
                        .IfElse(
                            c => c.Saga.HoldExpiresAt is not null,
                            reserved => reserved.TransitionTo(Reserved),
                            rejected => rejected.TransitionTo(Rejected))));

        During(
            Reserved,
            When(PaymentConfirmed)
                .ThenAsync(c => Steps(c).ConfirmPaymentAsync(c))
                .TransitionTo(Picking),
            When(PickupHoldExpired)
                .IfDeadlineCurrent(s => s.HoldExpiresAt, e => e.DueAt, x => x
                    .ThenAsync(c => Steps(c).ReleaseReservationAsync(c, "HOLD_EXPIRED", "The hold expired unpaid."))
                    .TransitionTo(Released)),
            When(CancelOrder)
                .ThenAsync(c => Steps(c).ReleaseReservationAsync(c, "CANCELLED", ClickAndCollectSteps.CancelledBecause(c.Message)))
                .ThenAsync(c => Steps(c).ReportCancellationAsync(c, released: true))
                .TransitionTo(Released));

        During(
            Picking,
            When(OrderPicked)
                .AtTheOrdersStore(c => c.Message.LocationId, x => x.TransitionTo(Picked)),
            When(OrderShortPicked)
                .AtTheOrdersStore(c => c.Message.LocationId, x => x
                    .IfElse(
                        c => MissingLinesProblem(c.Saga, c.Message) is null,
                        valid => valid
                            .ThenAsync(c => Steps(c).ShortPickAsync(c))
                            .If(c => !c.Saga.Resourced, released => released.TransitionTo(Released)),
                        invalid => invalid.ThenAsync(c => Refuse(c, MissingLinesProblem(c.Saga, c.Message)!)))));

        During(
            Picking,
            Picked,
            When(OrderReadyForPickup)
                .AtTheOrdersStore(c => c.Message.StoreId, x => x
                    .Then(c => Steps(c).StartPickupWindow(c))
                    .TransitionTo(ReadyForPickup)));

        During(
            Picking,
            Picked,
            ReadyForPickup,
            When(CancelOrder)
                .ThenAsync(c => Steps(c).ReleaseAllocationAsync(c, "CANCELLED", ClickAndCollectSteps.CancelledBecause(c.Message)))
                .ThenAsync(c => Steps(c).ReportCancellationAsync(c, released: true))
                .TransitionTo(Released));

        During(
            ReadyForPickup,
            When(OrderCollected)
                .AtTheOrdersStore(c => c.Message.StoreId, x => x
                    .ThenAsync(c => Steps(c).CollectAsync(c))
                    .TransitionTo(Collected)),
            When(PickupReminderElapsed)
                .IfDeadlineCurrent(s => s.PickupReminderAt, e => e.DueAt, x => x.ThenAsync(ClickAndCollectSteps.RemindAsync)),
            When(PickupWindowExpired)
                .IfDeadlineCurrent(s => s.PickupWindowEndsAt, e => e.DueAt, x => x
                    .ThenAsync(c => Steps(c).ReleaseAllocationAsync(c, "PICKUP_EXPIRED", "The pickup window expired uncollected: the units are back on sale."))
                    .TransitionTo(Released)));

        During(
            Collected,
            Released,
            Rejected,
            When(CancelOrder).ThenAsync(c => Steps(c).ReportCancellationAsync(c, released: false)));
    }

    /// <summary>Holding stock at the store, waiting for payment (deadline <c>hold_expires_at</c>).</summary>
    public State Reserved { get; private set; } = null!;

    /// <summary>Paid: allocated at the store, which is picking.</summary>
    public State Picking { get; private set; } = null!;

    /// <summary>Picked, not yet put ready.</summary>
    public State Picked { get; private set; } = null!;

    /// <summary>In the pickup area (deadlines <c>pickup_reminder_at</c>, <c>pickup_window_ends_at</c>).</summary>
    public State ReadyForPickup { get; private set; } = null!;

    /// <summary>Collected by the customer (final).</summary>
    public State Collected { get; private set; } = null!;

    /// <summary>Could not be reserved (final); the row names the alternatives offered.</summary>
    public State Rejected { get; private set; } = null!;

    /// <summary>Everything given back: hold or window expired, cancelled, or short-picked with nowhere to go (final).</summary>
    public State Released { get; private set; } = null!;

    public Event<ReserveForPickup> ReserveForPickup { get; private set; } = null!;

    public Event<PaymentConfirmed> PaymentConfirmed { get; private set; } = null!;

    public Event<OrderPicked> OrderPicked { get; private set; } = null!;

    public Event<OrderShortPicked> OrderShortPicked { get; private set; } = null!;

    public Event<OrderReadyForPickup> OrderReadyForPickup { get; private set; } = null!;

    public Event<OrderCollected> OrderCollected { get; private set; } = null!;

    public Event<CancelOrder> CancelOrder { get; private set; } = null!;

    public Event<PickupHoldExpired> PickupHoldExpired { get; private set; } = null!;

    public Event<PickupReminderElapsed> PickupReminderElapsed { get; private set; } = null!;

    public Event<PickupWindowExpired> PickupWindowExpired { get; private set; } = null!;

    /// <summary>Why a short pick's missing lines cannot apply to the order, or null when they can.</summary>
    public static string? MissingLinesProblem(ClickAndCollectState saga, OrderShortPicked message)
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(message);
        return OrderValidation.MissingLinesProblem(saga.Lines.Select(l => (l.Sku, l.Quantity)), message.MissingLines);
    }

    private static ClickAndCollectSteps Steps(ConsumeContext context) => context.GetServiceOrCreateInstance<ClickAndCollectSteps>();

    private static Task Refuse<T>(BehaviorContext<ClickAndCollectState, T> context, string reason)
        where T : class =>
        OrderFlowRefusals.RefuseAsync(context, OrderFlow.ClickAndCollect, context.Saga.OrderId, typeof(T).Name, reason);

    private void OrderEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> property, Func<T, string> orderId)
        where T : class =>
        Event(property, e =>
        {
            e.CorrelateById(c => OrderIds.CorrelationIdFor(orderId(c.Message) ?? string.Empty));
            e.OnMissingInstance(m => m.ExecuteAsync(c => OrderFlowRefusals.RequireOrderElsewhere(c, OrderFlow.ClickAndCollect, orderId(c.Message))));
        });

    private void DeadlineEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> property, Func<T, Guid> correlationId)
        where T : class =>
        Event(property, e =>
        {
            e.CorrelateById(c => correlationId(c.Message));
            e.OnMissingInstance(m => m.Discard());
        });
}

/// <summary>Store actions must come from the store the order is at; any other store's is refused with the reason.</summary>
internal static class ClickAndCollectBinders
{
    public static EventActivityBinder<ClickAndCollectState, T> AtTheOrdersStore<T>(
        this EventActivityBinder<ClickAndCollectState, T> binder,
        Func<BehaviorContext<ClickAndCollectState, T>, string> store,
        Func<EventActivityBinder<ClickAndCollectState, T>, EventActivityBinder<ClickAndCollectState, T>> activities)
        where T : class =>
        binder.IfElse(
            c => string.Equals(store(c), c.Saga.StoreId, StringComparison.Ordinal),
            activities,
            other => other.ThenAsync(c => OrderFlowRefusals.RefuseAsync(
                c, OrderFlow.ClickAndCollect, c.Saga.OrderId, typeof(T).Name,
                $"{typeof(T).Name} came from {store(c)}, but the order is at {c.Saga.StoreId}.")));
}
