using MassTransit;
using StockSync.Contracts.Orders;
using StockSync.Persistence.Deadlines;

namespace StockSync.Sagas.ReturnInspection;

/// <summary>
/// A customer return: AwaitingInspection (units in Quarantine, never straight to sellable stock; SLA deadline
/// <c>inspection_due_at</c>) → Inspected once every unit has a disposition (partial inspections allowed). A return
/// past its SLA is escalated (<see cref="ReturnInspectionOverdue"/>) and waits, visibly, in InspectionOverdue.
/// An invalid return, or one the ledger refuses (an unknown SKU or location), ends Rejected with the reason.
/// </summary>
public sealed class ReturnInspectionStateMachine : MassTransitStateMachine<ReturnInspectionState>
{
    public ReturnInspectionStateMachine()
    {
        InstanceState(s => s.CurrentState);
        Event(() => ReceiveReturn, e => e.CorrelateById(c => OrderIds.ReturnCorrelationIdFor(c.Message.ReturnId ?? string.Empty)));
        Event(() => ReturnInspected, e =>
        {
            e.CorrelateById(c => OrderIds.ReturnCorrelationIdFor(c.Message.ReturnId ?? string.Empty));
            e.OnMissingInstance(m => m.ExecuteAsync(c => throw new UnknownOrderException(
                $"ReturnInspected names return '{c.Message.ReturnId}', which no return inspection has: check the return id, then replay the message from the error queue.")));
        });
        Event(() => ReturnInspectionDue, e =>
        {
            e.CorrelateById(c => c.Message.CorrelationId);
            e.OnMissingInstance(m => m.Discard());
        });
        OnUnhandledEvent(c => OrderFlowRefusals.OnUnhandled(c, OrderFlow.ReturnInspection, s => s.ReturnId, new HashSet<string> { nameof(ReturnInspectionDue) }));
        this.ConnectStateObserver(new OrderStatusAnnouncer<ReturnInspectionState>(OrderFlow.ReturnInspection, s => s.LocationId, s => s.Reason));

        Initially(
            When(ReceiveReturn)
                .ThenAsync(c => Steps(c).ReceiveAsync(c))
                .IfElse(c => c.Saga.InspectionDueAt is not null, received => received.TransitionTo(AwaitingInspection), rejected => rejected.TransitionTo(Rejected)));

        During(
            AwaitingInspection,
            InspectionOverdue,
            When(ReturnInspected)
                .IfElse(
                    c => ReturnInspectionSteps.InspectionProblem(c.Saga, c.Message) is null,
                    valid => valid
                        .ThenAsync(c => Steps(c).InspectAsync(c))
                        .If(c => c.Saga.UninspectedUnits == 0, done => done.TransitionTo(Inspected)),
                    invalid => invalid.ThenAsync(c => OrderFlowRefusals.RefuseAsync(
                        c, OrderFlow.ReturnInspection, c.Saga.ReturnId, nameof(ReturnInspected), ReturnInspectionSteps.InspectionProblem(c.Saga, c.Message)!))));

        During(
            AwaitingInspection,
            When(ReturnInspectionDue)
                .IfDeadlineCurrent(s => s.InspectionDueAt, e => e.DueAt, x => x
                    .ThenAsync(c => Steps(c).EscalateAsync(c))
                    .TransitionTo(InspectionOverdue)));
    }

    /// <summary>Units in quarantine, inspection due by <c>inspection_due_at</c>.</summary>
    public State AwaitingInspection { get; private set; } = null!;

    /// <summary>Past the SLA and escalated; still accepts inspections.</summary>
    public State InspectionOverdue { get; private set; } = null!;

    /// <summary>Every unit has a disposition (final).</summary>
    public State Inspected { get; private set; } = null!;

    /// <summary>The return was invalid or the ledger refused it (final); the reason is on the row.</summary>
    public State Rejected { get; private set; } = null!;

    public Event<ReceiveReturn> ReceiveReturn { get; private set; } = null!;

    public Event<ReturnInspected> ReturnInspected { get; private set; } = null!;

    public Event<ReturnInspectionDue> ReturnInspectionDue { get; private set; } = null!;

    private static ReturnInspectionSteps Steps(ConsumeContext context) => context.GetServiceOrCreateInstance<ReturnInspectionSteps>();
}
