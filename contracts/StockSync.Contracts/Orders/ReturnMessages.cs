using StockSync.Contracts.Inventory;

namespace StockSync.Contracts.Orders;

/// <summary>
/// Starts a return inspection: units a customer brought back arrived at a store or DC. They go to Quarantine (on-hand
/// but not sellable) until inspected; the sale they came from need not be known yet.
/// </summary>
public sealed record ReceiveReturn
{
    /// <summary>The return (RMA) id, unique; later messages name it.</summary>
    public required string ReturnId { get; init; }

    /// <summary>The store or DC that received the units.</summary>
    public required string LocationId { get; init; }

    /// <summary>The returned lines, one per SKU.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>The order the units were bought in, if known (the refund request names it).</summary>
    public string? OrderId { get; init; }

    /// <summary>The original sale's transaction id, if known.</summary>
    public string? OriginalTransactionId { get; init; }

    /// <summary>The customer's reason for the return, if given.</summary>
    public string? Reason { get; init; }

    /// <summary>When the units were received.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>One inspected line: how many units of a SKU, and what happens to them.</summary>
public sealed record InspectedLine
{
    /// <summary>The SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>Units inspected with this disposition (at least 1).</summary>
    public required int Quantity { get; init; }

    /// <summary>Restock (sellable again), Damaged, ReturnToVendor or Dispose.</summary>
    public required QuarantineDisposition Disposition { get; init; }
}

/// <summary>
/// Units of a return were inspected. A return may be inspected in several parts; each part's units leave Quarantine
/// by their disposition, and the ERP posting and the refund request follow.
/// </summary>
public sealed record ReturnInspected
{
    /// <summary>The return.</summary>
    public required string ReturnId { get; init; }

    /// <summary>The inspected units and their dispositions.</summary>
    public required IReadOnlyList<InspectedLine> Lines { get; init; }

    /// <summary>Who inspected, if known.</summary>
    public string? InspectedBy { get; init; }

    /// <summary>When the inspection was done.</summary>
    public required DateTimeOffset InspectedAt { get; init; }
}

/// <summary>A return waited longer than its inspection SLA: someone must inspect it.</summary>
public sealed record ReturnInspectionOverdue
{
    /// <summary>The return.</summary>
    public required string ReturnId { get; init; }

    /// <summary>Where it waits.</summary>
    public required string LocationId { get; init; }

    /// <summary>Units still waiting for inspection, per SKU.</summary>
    public required IReadOnlyList<OrderLine> Uninspected { get; init; }

    /// <summary>When the inspection was due.</summary>
    public required DateTimeOffset DueAt { get; init; }
}

/// <summary>Asks the payment side to refund inspected units of a return (every disposition is refunded; policy decides the amount).</summary>
public sealed record RefundRequested
{
    /// <summary>A stable id: a repeat with the same id is refunded once.</summary>
    public required string RefundId { get; init; }

    /// <summary>The return.</summary>
    public required string ReturnId { get; init; }

    /// <summary>The order the units were bought in, if known.</summary>
    public string? OrderId { get; init; }

    /// <summary>The refunded units, with their dispositions.</summary>
    public required IReadOnlyList<InspectedLine> Lines { get; init; }
}
