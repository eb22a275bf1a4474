namespace StockSync.Sagas;

/// <summary>
/// An order's saga correlation id is derived from its order id, the same way in every flow and every replica: two
/// requests for one order meet on one row (the primary key refuses a second insert), and the HTTP API finds a saga
/// without a lookup table.
/// </summary>
public static class OrderIds
{
    /// <summary>The longest order id accepted (saga ids and ledger source message ids are built from it).</summary>
    public const int MaxLength = 64;

    /// <summary>The correlation id of the saga of <paramref name="orderId"/>: a name-based (SHA-256) UUID.</summary>
    public static Guid CorrelationIdFor(string orderId) => NameBased("stocksync:order:", orderId);

    /// <summary>The correlation id of the inspection saga of return <paramref name="returnId"/> (its own name space).</summary>
    public static Guid ReturnCorrelationIdFor(string returnId) => NameBased("stocksync:return:", returnId);

    /// <summary>StockSync's order id of a marketplace order: <c>{marketplace}:{marketplaceOrderId}</c> (marketplace names have no colon).</summary>
    public static string MarketplaceOrderId(string marketplace, string marketplaceOrderId) => $"{marketplace}:{marketplaceOrderId}";

    /// <summary>The correlation id of the intake saga of a marketplace order (its own name space): one per marketplace and order id.</summary>
    public static Guid MarketplaceCorrelationIdFor(string marketplace, string marketplaceOrderId) =>
        NameBased("stocksync:marketplace-order:", MarketplaceOrderId(marketplace ?? string.Empty, marketplaceOrderId ?? string.Empty));

    /// <summary>
    /// The conversation id to publish an order message under: the correlation id of the order (or return, or
    /// marketplace order) it is about, so the outbox delivers one order's messages in the order they were accepted and
    /// the saga endpoints (partitioned by conversation) apply them in that order. Null for other messages.
    /// </summary>
    public static Guid? ConversationFor(object message) => message switch
    {
        Contracts.Orders.ReserveForPickup m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.FulfillOrder m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.CancelOrder m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.PaymentConfirmed m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.OrderPicked m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.OrderShortPicked m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.OrderReadyForPickup m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.OrderCollected m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.ShipmentDispatched m => CorrelationIdFor(m.OrderId ?? string.Empty),
        Contracts.Orders.ReceiveReturn m => ReturnCorrelationIdFor(m.ReturnId ?? string.Empty),
        Contracts.Orders.ReturnInspected m => ReturnCorrelationIdFor(m.ReturnId ?? string.Empty),
        Contracts.Orders.MarketplaceOrderReceived m => MarketplaceCorrelationIdFor(m.Marketplace, m.MarketplaceOrderId),
        Contracts.Orders.MarketplaceOrderCancelled m => MarketplaceCorrelationIdFor(m.Marketplace, m.MarketplaceOrderId),
        Contracts.Orders.RetryMarketplaceAcknowledgement m => MarketplaceCorrelationIdFor(m.Marketplace, m.MarketplaceOrderId),
        _ => null,
    };

    private static Guid NameBased(string space, string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Persistence.NameBasedIds.Create(space + id);
    }
}
