namespace StockSync.Contracts.Orders;

/// <summary>
/// An order a marketplace adapter took in. It starts the marketplace intake: every line is reserved, and the order is
/// acknowledged (accepted lines) or rejected (lines with no stock, with the marketplace's reason code) before the
/// marketplace's deadline. The same order delivered again (same marketplace and marketplace order id) starts nothing new.
/// </summary>
public sealed record MarketplaceOrderReceived
{
    /// <summary>
    /// The marketplace, as StockSync's policy names it (lower-case letters, digits and dashes), for example
    /// <c>walmart</c> or <c>amazon-vendor</c>. Its policy gives the acknowledgment window and the reason codes.
    /// </summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id (Walmart's purchase order id, Amazon's PO number).</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>The order's lines, each with the marketplace's line number.</summary>
    public required IReadOnlyList<MarketplaceOrderLine> Lines { get; init; }

    /// <summary>When the order was placed on the marketplace: the acknowledgment window runs from here.</summary>
    public required DateTimeOffset OrderedAt { get; init; }

    /// <summary>The deadline the marketplace stated, if it states one; otherwise the policy's window decides.</summary>
    public DateTimeOffset? AcknowledgeBy { get; init; }
}

/// <summary>One line of a marketplace order.</summary>
public sealed record MarketplaceOrderLine
{
    /// <summary>The marketplace's line number; acknowledgments name lines by it.</summary>
    public required string LineNumber { get; init; }

    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>Units ordered (at least 1).</summary>
    public required int Quantity { get; init; }
}

/// <summary>What StockSync decided for one marketplace order line.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<MarketplaceLineDecision>))]
public enum MarketplaceLineDecision
{
    /// <summary>Every unit is reserved; the line will ship.</summary>
    Accepted,

    /// <summary>The line cannot be served (see the reason code); nothing is held for it.</summary>
    Rejected,
}

/// <summary>The acknowledgment of one line: accepted, or rejected with the marketplace's reason code.</summary>
public sealed record MarketplaceLineAcknowledgement
{
    /// <summary>The marketplace's line number.</summary>
    public required string LineNumber { get; init; }

    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>Units of the line.</summary>
    public required int Quantity { get; init; }

    /// <summary>Accepted or Rejected.</summary>
    public required MarketplaceLineDecision Decision { get; init; }

    /// <summary>For a rejected line: the marketplace's reason code (for example <c>SELLER_CANCEL_OUT_OF_STOCK</c>).</summary>
    public string? ReasonCode { get; init; }

    /// <summary>For a rejected line: the reason in words (for operators; marketplaces get the code).</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Asks the marketplace adapter to send the acknowledgment of an order to its marketplace: accepted lines, and rejected
/// lines with reason codes. The adapter answers with <see cref="MarketplaceOrderAcknowledged"/> or
/// <see cref="MarketplaceAcknowledgementFailed"/>; the intake retries failures until the deadline.
/// </summary>
public sealed record AcknowledgeMarketplaceOrder
{
    /// <summary>The marketplace, as StockSync's policy names it (for example <c>walmart</c>).</summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id.</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>StockSync's order id (<c>{marketplace}:{marketplaceOrderId}</c>).</summary>
    public required string OrderId { get; init; }

    /// <summary>The decision for every line of the order.</summary>
    public required IReadOnlyList<MarketplaceLineAcknowledgement> Lines { get; init; }

    /// <summary>The attempt number, from 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>The marketplace's deadline for this acknowledgment.</summary>
    public required DateTimeOffset AcknowledgeBy { get; init; }
}

/// <summary>The marketplace took the acknowledgment of an order.</summary>
public sealed record MarketplaceOrderAcknowledged
{
    /// <summary>The marketplace, as StockSync's policy names it (for example <c>walmart</c>).</summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id.</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>The attempt that succeeded.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the marketplace answered.</summary>
    public required DateTimeOffset AcknowledgedAt { get; init; }
}

/// <summary>An acknowledgment call failed (the marketplace was down, slow, throttling, or refused it).</summary>
public sealed record MarketplaceAcknowledgementFailed
{
    /// <summary>The marketplace, as StockSync's policy names it (for example <c>walmart</c>).</summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id.</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>The attempt that failed.</summary>
    public required int Attempt { get; init; }

    /// <summary>What went wrong (the HTTP status and the marketplace's message, or the network error).</summary>
    public required string Error { get; init; }

    /// <summary>
    /// Whether trying again may succeed: true for timeouts, network errors, 408, 429 and 5xx; false for a refusal of
    /// the acknowledgment itself (other 4xx), which an operator must look at.
    /// </summary>
    public required bool Retryable { get; init; }

    /// <summary>The marketplace's Retry-After, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>When the attempt failed.</summary>
    public required DateTimeOffset FailedAt { get; init; }
}

/// <summary>The marketplace cancelled an order (customer cancellation, fraud, timeout on its side).</summary>
public sealed record MarketplaceOrderCancelled
{
    /// <summary>The marketplace, as StockSync's policy names it (for example <c>walmart</c>).</summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id.</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>The marketplace's reason, if it gave one.</summary>
    public string? Reason { get; init; }

    /// <summary>When the marketplace cancelled the order.</summary>
    public required DateTimeOffset CancelledAt { get; init; }
}

/// <summary>An operator asks for another acknowledgment attempt of an order whose automatic attempts have stopped.</summary>
public sealed record RetryMarketplaceAcknowledgement
{
    /// <summary>The marketplace, as StockSync's policy names it (for example <c>walmart</c>).</summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id.</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>Who asked.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>When the retry was asked for.</summary>
    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>Why a marketplace order needs attention.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<MarketplaceAlertKind>))]
public enum MarketplaceAlertKind
{
    /// <summary>The configured share of the acknowledgment window has passed and the order is not acknowledged yet.</summary>
    AcknowledgementLate,

    /// <summary>The deadline passed without an acknowledgment: the marketplace may cancel the order or penalise the seller.</summary>
    DeadlineMissed,

    /// <summary>The marketplace refused the acknowledgment itself (not a transient failure); retrying will not help.</summary>
    AcknowledgementRefused,
}

/// <summary>
/// An operator alert about a marketplace order's acknowledgment. The order's row in <c>marketplace_order_sagas</c> (and the
/// view <c>ops_marketplace_acknowledgements</c>) shows the same facts.
/// </summary>
public sealed record MarketplaceOrderAlert
{
    /// <summary>The marketplace, as StockSync's policy names it (for example <c>walmart</c>).</summary>
    public required string Marketplace { get; init; }

    /// <summary>The marketplace's own order id.</summary>
    public required string MarketplaceOrderId { get; init; }

    /// <summary>StockSync's order id (<c>{marketplace}:{marketplaceOrderId}</c>).</summary>
    public required string OrderId { get; init; }

    /// <summary>What the alert is about.</summary>
    public required MarketplaceAlertKind Kind { get; init; }

    /// <summary>The acknowledgment deadline.</summary>
    public required DateTimeOffset AcknowledgeBy { get; init; }

    /// <summary>Acknowledgment attempts so far.</summary>
    public required int Attempts { get; init; }

    /// <summary>The last attempt's error, if any.</summary>
    public string? LastError { get; init; }

    /// <summary>When the alert was raised.</summary>
    public required DateTimeOffset RaisedAt { get; init; }
}

/// <summary>Stock held by an earlier step of an order (the marketplace intake) that fulfillment takes over as it is.</summary>
public sealed record HeldReservation
{
    /// <summary>Where the units are reserved.</summary>
    public required string LocationId { get; init; }

    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>Units held (at least 1).</summary>
    public required int Quantity { get; init; }

    /// <summary>The ledger reservation id the units are held under.</summary>
    public required string ReservationId { get; init; }
}
