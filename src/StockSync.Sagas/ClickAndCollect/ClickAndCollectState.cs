using StockSync.Contracts.Orders;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.ClickAndCollect;

/// <summary>
/// One click-and-collect order, as operators read it in <c>click_and_collect_sagas</c>: the order and its store, the
/// three deadline columns (hold, reminder, pickup window), the exit reason, and the lines as JSON.
/// </summary>
public sealed class ClickAndCollectState : StockSyncSagaState
{
    private string? _reason;

    /// <summary>The order id (unique).</summary>
    public string OrderId { get; set; } = string.Empty;

    /// <summary>The store the order is reserved, allocated or waiting at now.</summary>
    public string StoreId { get; set; } = string.Empty;

    /// <summary>The store the customer chose (differs from <see cref="StoreId"/> after a re-sourcing).</summary>
    public string RequestedStoreId { get; set; } = string.Empty;

    /// <summary>The channel that took the order, if any.</summary>
    public string? ChannelId { get; set; }

    /// <summary>The customer's opaque reference, if any.</summary>
    public string? CustomerReference { get; set; }

    /// <summary>The order's lines (JSON).</summary>
    public List<OrderLine> Lines { get; set; } = [];

    /// <summary>How many stores the order has been placed at (1, plus one per re-sourcing).</summary>
    public int Attempt { get; set; }

    /// <summary>The ledger step counter: every ledger call of the saga gets the next number in its movement ids.</summary>
    public int LedgerStep { get; set; }

    /// <summary>The reservation id at the current store (<c>{orderId}#{attempt}</c>).</summary>
    public string ReservationId { get; set; } = string.Empty;

    /// <summary>The current fulfilment request sent to the store (<c>{orderId}-P{attempt}</c>), once paid.</summary>
    public string? ShipmentId { get; set; }

    /// <summary>Deadline: the unpaid hold lapses (UTC).</summary>
    public DateTime? HoldExpiresAt { get; set; }

    /// <summary>Deadline: remind the customer to collect (UTC).</summary>
    public DateTime? PickupReminderAt { get; set; }

    /// <summary>Deadline: the pickup window ends and the units go back on sale (UTC).</summary>
    public DateTime? PickupWindowEndsAt { get; set; }

    /// <summary>When the order was paid (UTC).</summary>
    public DateTime? PaidAt { get; set; }

    /// <summary>When the order was put ready for pickup (UTC).</summary>
    public DateTime? ReadyAt { get; set; }

    /// <summary>When the customer collected (UTC).</summary>
    public DateTime? CollectedAt { get; set; }

    /// <summary>Stores that short-picked the order (JSON); a re-sourcing never goes back to them.</summary>
    public List<string> ShortPickedAt { get; set; } = [];

    /// <summary>The alternatives offered with a rejection (JSON).</summary>
    public List<StoreAlternative> Alternatives { get; set; } = [];

    /// <summary>Why the order was rejected, released or re-sourced (the latest reason), cut to the column's length.</summary>
    public string? Reason
    {
        get => _reason;
        set => _reason = SagaText.FitReason(value);
    }

    /// <summary>Set during a short pick when the order found a new store (not stored).</summary>
    internal bool Resourced { get; set; }
}
