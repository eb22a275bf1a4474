namespace StockSync.Adapters.Ecommerce.Webhooks;

/// <summary>
/// A verified, first-time storefront webhook, as received: the adapter's own message (not a canonical one) from the
/// webhook endpoint to its consumer. It carries the raw body, so a webhook that cannot be translated (an unmapped
/// variant or location) faults with its payload intact and can be replayed from the error queue once fixed.
/// </summary>
public sealed record ShopifyWebhookReceived
{
    /// <summary>The storefront's delivery id (<c>X-Shopify-Webhook-Id</c>).</summary>
    public required string WebhookId { get; init; }

    /// <summary>The topic, e.g. <c>orders/create</c>.</summary>
    public required string Topic { get; init; }

    /// <summary>The shop (<c>X-Shopify-Shop-Domain</c>), if sent.</summary>
    public string? ShopDomain { get; init; }

    /// <summary>The body exactly as received (UTF-8 JSON).</summary>
    public required string Body { get; init; }

    /// <summary>When StockSync accepted it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the storefront says the event happened (<c>X-Shopify-Triggered-At</c>), if sent.</summary>
    public DateTimeOffset? TriggeredAt { get; init; }
}

/// <summary>The webhook topics the adapter takes.</summary>
public static class ShopifyTopics
{
    /// <summary>An order was placed: a shipped order (<c>FulfillOrder</c>) or a store pickup (<c>ReserveForPickup</c>).</summary>
    public const string OrdersCreate = "orders/create";

    /// <summary>An order was cancelled (<c>CancelOrder</c>).</summary>
    public const string OrdersCancelled = "orders/cancelled";

    /// <summary>A refund was issued; restocked lines are a customer return (<c>ReceiveReturn</c>).</summary>
    public const string RefundsCreate = "refunds/create";

    /// <summary>A checkout started: its lines are held (<c>StockReserved</c>).</summary>
    public const string CheckoutsCreate = "checkouts/create";

    /// <summary>A checkout was deleted (abandoned): its hold is released (<c>ReservationReleased</c>).</summary>
    public const string CheckoutsDelete = "checkouts/delete";

    /// <summary>Every topic the adapter takes.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        OrdersCreate, OrdersCancelled, RefundsCreate, CheckoutsCreate, CheckoutsDelete,
    };
}
