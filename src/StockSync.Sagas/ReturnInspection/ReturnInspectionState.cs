using StockSync.Contracts.Orders;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.ReturnInspection;

/// <summary>
/// One customer return, as operators read it in <c>return_inspection_sagas</c>: where it waits, how many units are not
/// inspected yet, the inspection deadline (<c>inspection_due_at</c>) and when it was escalated.
/// </summary>
public sealed class ReturnInspectionState : StockSyncSagaState
{
    private string? _reason;

    public string ReturnId { get; set; } = string.Empty;

    public string LocationId { get; set; } = string.Empty;

    public string? OrderId { get; set; }

    public string? OriginalTransactionId { get; set; }

    /// <summary>The returned lines (JSON).</summary>
    public List<OrderLine> Lines { get; set; } = [];

    /// <summary>The inspections so far, every part (JSON).</summary>
    public List<InspectedLine> Inspected { get; set; } = [];

    /// <summary>Units still in quarantine waiting for inspection.</summary>
    public int UninspectedUnits { get; set; }

    /// <summary>Deadline: the inspection SLA (UTC); cleared when escalated or fully inspected.</summary>
    public DateTime? InspectionDueAt { get; set; }

    public DateTime? EscalatedAt { get; set; }

    public DateTime? InspectedAt { get; set; }

    public int InspectionCount { get; set; }

    public int LedgerStep { get; set; }

    /// <summary>The customer's reason, or why the return was rejected.</summary>
    public string? Reason
    {
        get => _reason;
        set => _reason = SagaText.FitReason(value);
    }

    /// <summary>Units of <paramref name="sku"/> not inspected yet.</summary>
    public int Uninspected(string sku) =>
        Lines.Where(l => l.Sku == sku).Sum(l => l.Quantity) - Inspected.Where(i => i.Sku == sku).Sum(i => i.Quantity);
}
