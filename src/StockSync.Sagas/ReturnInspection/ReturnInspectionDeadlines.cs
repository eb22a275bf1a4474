using StockSync.Persistence.Deadlines;

namespace StockSync.Sagas.ReturnInspection;

/// <summary>The inspection SLA of a return fell due (published by the deadline sweeper).</summary>
public sealed record ReturnInspectionDue(Guid CorrelationId, DateTime DueAt);

/// <summary>The deadline column of <c>return_inspection_sagas</c>.</summary>
public static class ReturnInspectionDeadlines
{
    public static IReadOnlyList<IDeadlineSweep> Sweeps { get; } =
    [
        new DeadlineSweep<ReturnInspectionState, ReturnInspectionDue>(
            ReturnInspectionStateMap.Table, s => s.InspectionDueAt, (s, due) => new ReturnInspectionDue(s.CorrelationId, due)),
    ];
}
