using StockSync.Contracts.Orders;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>
/// One marketplace order, as operators read it in <c>marketplace_order_sagas</c>: the marketplace and its order id (unique
/// together), the acknowledgment deadline (<c>acknowledge_by</c>, always kept) and the pending deadline columns (warning,
/// deadline, next attempt), the attempts and the last error, and the lines, decisions and reservations as JSON.
/// </summary>
public sealed class MarketplaceOrderState : StockSyncSagaState
{
    private string? _reason;
    private string? _lastError;

    public string Marketplace { get; set; } = string.Empty;

    public string MarketplaceOrderId { get; set; } = string.Empty;

    /// <summary>StockSync's order id, <c>{marketplace}:{marketplaceOrderId}</c>; the fulfillment of the order uses it too.</summary>
    public string OrderId { get; set; } = string.Empty;

    /// <summary>The lines as the marketplace sent them (JSON).</summary>
    public List<MarketplaceOrderLine> Lines { get; set; } = [];

    /// <summary>The decision per line: accepted, or rejected with the marketplace's reason code (JSON).</summary>
    public List<MarketplaceLineAcknowledgement> Decisions { get; set; } = [];

    /// <summary>The units held for the accepted lines, per location (JSON).</summary>
    public List<HeldReservation> Reservations { get; set; } = [];

    public int AcceptedLines { get; set; }

    public int RejectedLines { get; set; }

    /// <summary>When the order was placed on the marketplace (UTC).</summary>
    public DateTime OrderedAt { get; set; }

    /// <summary>The marketplace's acknowledgment deadline (UTC); kept after the order is acknowledged, for the record.</summary>
    public DateTime AcknowledgeBy { get; set; }

    /// <summary>Deadline: when an unacknowledged order raises the warning (UTC); cleared once warned or acknowledged.</summary>
    public DateTime? WarningAt { get; set; }

    /// <summary>Deadline: the acknowledgment deadline while it is pending (UTC); cleared when acknowledged or missed.</summary>
    public DateTime? AcknowledgementDueAt { get; set; }

    /// <summary>Deadline: when the next acknowledgment attempt is made after a failure (UTC).</summary>
    public DateTime? NextAttemptAt { get; set; }

    /// <summary>Acknowledgment attempts made.</summary>
    public int Attempts { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    /// <summary>The last failed attempt's error.</summary>
    public string? LastError
    {
        get => _lastError;
        set => _lastError = SagaText.FitReason(value);
    }

    public DateTime? AcknowledgedAt { get; set; }

    public DateTime? WarnedAt { get; set; }

    public DateTime? DeadlineMissedAt { get; set; }

    /// <summary>When the marketplace cancelled the order.</summary>
    public DateTime? CancelledAt { get; set; }

    /// <summary>How many times the marketplace delivered the order again (each started nothing).</summary>
    public int Redeliveries { get; set; }

    public int LedgerStep { get; set; }

    /// <summary>Why the order is where it is: a rejection, a refusal, a cancellation.</summary>
    public string? Reason
    {
        get => _reason;
        set => _reason = SagaText.FitReason(value);
    }
}
