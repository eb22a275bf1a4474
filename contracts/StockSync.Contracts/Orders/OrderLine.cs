namespace StockSync.Contracts.Orders;

/// <summary>One line of an order: a SKU and how many units of it, in the canonical unit (each).</summary>
public sealed record OrderLine
{
    /// <summary>The canonical SKU. An order names each SKU on one line only.</summary>
    public required string Sku { get; init; }

    /// <summary>Units ordered (or, where a message says so, units affected); at least 1.</summary>
    public required int Quantity { get; init; }
}

/// <summary>The flow (saga) an order runs in.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<OrderFlow>))]
public enum OrderFlow
{
    /// <summary>Buy online, pick up in store.</summary>
    ClickAndCollect,

    /// <summary>Shipped to the customer, possibly split across locations.</summary>
    OrderFulfillment,

    /// <summary>A customer return, quarantined until inspected.</summary>
    ReturnInspection,

    /// <summary>A marketplace order, reserved and acknowledged before the marketplace's deadline, then fulfilled.</summary>
    MarketplaceOrderIntake,
}
