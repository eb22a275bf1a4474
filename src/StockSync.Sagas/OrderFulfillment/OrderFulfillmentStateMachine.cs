using MassTransit;
using StockSync.Contracts.Orders;

namespace StockSync.Sagas.OrderFulfillment;

/// <summary>
/// A shipped order, split across locations. On <see cref="FulfillOrder"/> the lines are sourced and allocated, one
/// shipment per location. Shipments are picked, dispatched (ERP posting requested) or short-picked (re-sourced or
/// backordered). The order is Fulfilling while shipments are open, Backordered while only backorders remain, and
/// Completed (or Cancelled, if nothing shipped) when every unit is shipped or cancelled. A cancellation releases what
/// has not left and refuses what has; a shipment confirmed after the cancellation is refused (the saga's state decides).
/// </summary>
public sealed class OrderFulfillmentStateMachine : MassTransitStateMachine<OrderFulfillmentState>
{
    public OrderFulfillmentStateMachine()
    {
        InstanceState(s => s.CurrentState);
        Event(() => FulfillOrder, e => e.CorrelateById(c => OrderIds.CorrelationIdFor(c.Message.OrderId ?? string.Empty)));
        OrderEvent(() => OrderPicked, m => m.OrderId);
        OrderEvent(() => OrderShortPicked, m => m.OrderId);
        OrderEvent(() => ShipmentDispatched, m => m.OrderId);
        OrderEvent(() => CancelOrder, m => m.OrderId);
        OnUnhandledEvent(c => OrderFlowRefusals.OnUnhandled(c, OrderFlow.OrderFulfillment, s => s.OrderId, new HashSet<string>()));
        this.ConnectStateObserver(new OrderStatusAnnouncer<OrderFulfillmentState>(
            OrderFlow.OrderFulfillment, s => s.Shipments.LastOrDefault()?.LocationId, s => s.Reason));
        SetCompletedWhenFinalized(); // only a refused, reused order id is finalized: its row is never stored

        Initially(
            When(FulfillOrder)
                .IfElseAsync(
                    c => OrderFlowRefusals.OtherFlowHasAsync(c, OrderFlow.OrderFulfillment, c.Message.OrderId ?? string.Empty),
                    reused => reused.RefuseReusedOrderId(),
                    fresh => fresh
                        .ThenAsync(c => Steps(c).PlaceAsync(c))
                        .IfElse(c => c.Saga.Lines.Count == 0, invalid => invalid.TransitionTo(Rejected), valid => valid.Settle(this))));

        During(
            Fulfilling,
            Backordered,
            When(OrderPicked).ThenAsync(OrderFulfillmentSteps.MarkPickedAsync),
            When(ShipmentDispatched).ThenAsync(c => Steps(c).DispatchAsync(c)).Settle(this),
            When(OrderShortPicked).ThenAsync(c => Steps(c).ShortPickAsync(c)).Settle(this),
            When(CancelOrder).ThenAsync(c => Steps(c).CancelAsync(c)).Settle(this));

        During(
            Completed,
            Cancelled,
            Rejected,
            When(CancelOrder).ThenAsync(c => Steps(c).ReportCancellationAsync(c)));

        During(
            Completed,
            When(ShipmentDispatched).ThenAsync(OrderFulfillmentSteps.RefuseLateDispatchAsync));

        During(
            Cancelled,
            When(ShipmentDispatched).ThenAsync(c => OrderFlowRefusals.RefuseAsync(
                c, OrderFlow.OrderFulfillment, c.Saga.OrderId, nameof(ShipmentDispatched),
                $"The order was cancelled before this shipment was confirmed, and its units were released ({c.Saga.Reason}). Stop the parcel, or receive it back as a return.")));
    }

    /// <summary>Shipments are open.</summary>
    public State Fulfilling { get; private set; } = null!;

    /// <summary>No shipment is open; some units wait for stock (or a cancellation).</summary>
    public State Backordered { get; private set; } = null!;

    /// <summary>Every unit shipped or cancelled, and some shipped (final).</summary>
    public State Completed { get; private set; } = null!;

    /// <summary>Cancelled before anything shipped (final).</summary>
    public State Cancelled { get; private set; } = null!;

    /// <summary>The order was invalid (final); the reason is on the row.</summary>
    public State Rejected { get; private set; } = null!;

    public Event<FulfillOrder> FulfillOrder { get; private set; } = null!;

    public Event<OrderPicked> OrderPicked { get; private set; } = null!;

    public Event<OrderShortPicked> OrderShortPicked { get; private set; } = null!;

    public Event<ShipmentDispatched> ShipmentDispatched { get; private set; } = null!;

    public Event<CancelOrder> CancelOrder { get; private set; } = null!;

    private static OrderFulfillmentSteps Steps(ConsumeContext context) => context.GetServiceOrCreateInstance<OrderFulfillmentSteps>();

    private void OrderEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> property, Func<T, string> orderId)
        where T : class =>
        Event(property, e =>
        {
            e.CorrelateById(c => OrderIds.CorrelationIdFor(orderId(c.Message) ?? string.Empty));
            e.OnMissingInstance(m => m.ExecuteAsync(c => OrderFlowRefusals.RequireOrderElsewhere(c, OrderFlow.OrderFulfillment, orderId(c.Message))));
        });
}

/// <summary>Moves an order to the state its lines and shipments say it is in.</summary>
internal static class OrderFulfillmentBinders
{
    public static EventActivityBinder<OrderFulfillmentState, T> Settle<T>(this EventActivityBinder<OrderFulfillmentState, T> binder, OrderFulfillmentStateMachine machine)
        where T : class =>
        binder.IfElse(
            c => c.Saga.IsSettled,
            settled => settled
                .Then(c => c.GetServiceOrCreateInstance<OrderFulfillmentSteps>().Complete(c))
                .IfElse(c => c.Saga.Lines.Any(l => l.Shipped > 0), x => x.TransitionTo(machine.Completed), x => x.TransitionTo(machine.Cancelled)),
            open => open.IfElse(c => c.Saga.OpenShipments > 0, x => x.TransitionTo(machine.Fulfilling), x => x.TransitionTo(machine.Backordered)));
}
