using MassTransit;
using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Orders;
using StockSync.Persistence;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas;

/// <summary>
/// Publishes <see cref="OrderStatusChanged"/> on every transition of an order machine (connected as a state observer,
/// so no transition can forget it). It runs inside the saga's consume, so the event goes through the outbox with the
/// state change.
/// </summary>
internal sealed class OrderStatusAnnouncer<TSaga>(OrderFlow flow, Func<TSaga, string?> location, Func<TSaga, string?> reason) : IStateObserver<TSaga>
    where TSaga : StockSyncSagaState
{
    public Task StateChanged(BehaviorContext<TSaga> context, State currentState, State previousState) =>
        currentState.Name == "Final" ? Task.CompletedTask : context.Publish(new OrderStatusChanged
        {
            OrderId = OrderIdOf(context.Saga),
            Flow = flow,
            Status = currentState.Name,
            PreviousStatus = previousState is null || previousState.Name == "Initial" ? string.Empty : previousState.Name,
            LocationId = location(context.Saga),
            Reason = reason(context.Saga),
            ChangedAt = context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow(),
        });

    private static string OrderIdOf(TSaga saga) => saga switch
    {
        ClickAndCollect.ClickAndCollectState c => c.OrderId,
        OrderFulfillment.OrderFulfillmentState o => o.OrderId,
        ReturnInspection.ReturnInspectionState r => r.ReturnId,
        MarketplaceIntake.MarketplaceOrderState m => m.OrderId,
        _ => throw new InvalidOperationException($"{typeof(TSaga).Name} is not an order saga."),
    };
}

/// <summary>How the order machines answer messages they cannot act on, so nothing is dropped silently.</summary>
internal static class OrderFlowRefusals
{
    /// <summary>
    /// For an event the current state does not allow: deadline events are stale and ignored (the sweeper raced a
    /// transition); anything else is answered with <see cref="OrderEventRefused"/> naming the state, and consumed.
    /// </summary>
    public static async Task OnUnhandled<TSaga>(UnhandledEventContext<TSaga> context, OrderFlow flow, Func<TSaga, string> orderId, IReadOnlySet<string> deadlineEvents)
        where TSaga : StockSyncSagaState
    {
        if (!deadlineEvents.Contains(context.Event.Name))
        {
            await RefuseAsync(context, flow, orderId(context.Saga), context.Event.Name, $"{context.Event.Name} is not allowed while the order is {context.CurrentState.Name}.").ConfigureAwait(false);
        }

        await context.Ignore().ConfigureAwait(false);
    }

    /// <summary>Publishes the refusal of one message, with the reason.</summary>
    public static Task RefuseAsync<TSaga>(BehaviorContext<TSaga> context, OrderFlow flow, string orderId, string eventName, string reason)
        where TSaga : StockSyncSagaState =>
        context.Publish(new OrderEventRefused
        {
            OrderId = orderId,
            Flow = flow,
            Event = eventName,
            State = context.Saga.CurrentState,
            Reason = reason,
            RefusedAt = context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow(),
        });

    /// <summary>
    /// For a message about an order this flow does not have: fine if the other flow has it (both machines hear the shared
    /// store events); otherwise a fault naming the order, so the message lands in the error queue (retried first, for a
    /// store event that overtook its order) instead of vanishing.
    /// </summary>
    public static async Task RequireOrderElsewhere<T>(ConsumeContext<T> context, OrderFlow flow, string orderId)
        where T : class
    {
        if (!await OtherFlowHasAsync(context, flow, orderId).ConfigureAwait(false))
        {
            throw new UnknownOrderException(orderId, typeof(T).Name);
        }
    }

    /// <summary>Whether the flow other than <paramref name="flow"/> has an order <paramref name="orderId"/> (read in the consume's transaction).</summary>
    public static async Task<bool> OtherFlowHasAsync(ConsumeContext context, OrderFlow flow, string orderId)
    {
        var db = context.GetServiceOrCreateInstance<StockSyncDbContext>();
        var id = OrderIds.CorrelationIdFor(orderId);
        return flow == OrderFlow.ClickAndCollect
            ? await db.Set<OrderFulfillment.OrderFulfillmentState>().AsNoTracking().AnyAsync(s => s.CorrelationId == id, context.CancellationToken).ConfigureAwait(false)
            : await db.Set<ClickAndCollect.ClickAndCollectState>().AsNoTracking().AnyAsync(s => s.CorrelationId == id, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The first event of a flow for an order id the other flow already has.</summary>
internal static class ReusedOrderIds
{
    /// <summary>
    /// Refuses the message with <see cref="OrderEventRefused"/> and finalizes the new instance, so no row is stored: a
    /// row here would make this flow answer the other order's store events and cancellation too. (The HTTP API answers
    /// 409 before it gets this far; this covers messages from the bus.)
    /// </summary>
    public static EventActivityBinder<TSaga, TMessage> RefuseReusedOrderId<TSaga, TMessage>(this EventActivityBinder<TSaga, TMessage> binder)
        where TSaga : StockSyncSagaState
        where TMessage : class =>
        binder
            .ThenAsync(c =>
            {
                var (flow, other) = c.Saga is ClickAndCollect.ClickAndCollectState ? (OrderFlow.ClickAndCollect, "a shipped order") : (OrderFlow.OrderFulfillment, "a click-and-collect order");
                var orderId = OrderIdOf(c.Message);
                return OrderFlowRefusals.RefuseAsync(c, flow, orderId, typeof(TMessage).Name, $"Order id '{orderId}' is already used by {other}; an order id is used once.");
            })
            .Finalize();

    private static string OrderIdOf(object message) => message switch
    {
        ReserveForPickup r => r.OrderId,
        FulfillOrder f => f.OrderId,
        _ => throw new InvalidOperationException($"{message.GetType().Name} does not start an order."),
    };
}

/// <summary>A message names an order that no flow knows.</summary>
public sealed class UnknownOrderException : Exception
{
    public UnknownOrderException()
    {
    }

    public UnknownOrderException(string message)
        : base(message)
    {
    }

    public UnknownOrderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnknownOrderException(string orderId, string messageType)
        : base($"{messageType} names order '{orderId}', which no click-and-collect or shipped order has: check the order id, then replay the message from the error queue.")
    {
        OrderId = orderId;
    }

    /// <summary>The unknown order id.</summary>
    public string? OrderId { get; }
}
