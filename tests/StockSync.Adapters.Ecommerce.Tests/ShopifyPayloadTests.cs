using StockSync.Adapters.Ecommerce.Webhooks;

namespace StockSync.Adapters.Ecommerce.Tests;

/// <summary>
/// Checked-in Shopify webhook payloads (Samples/*.json, shaped like Shopify's REST Admin API resources) pin what the
/// adapter reads from each topic; everything else in them is ignored.
/// </summary>
public sealed class ShopifyPayloadTests
{
    [Fact]
    public void An_order_yields_its_id_checkout_pickup_location_customer_and_lines()
    {
        var order = Read<ShopifyOrder>("orders/create", "orders-create.json");
        Assert.Equal("820982911946154508", order.Id);
        Assert.Equal("b1946ac92492d2347c6235b4d2611184", order.CheckoutToken);
        Assert.Equal("905684978", order.PickupLocationId);
        Assert.Equal("115310627314723954", order.Customer!.Id);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 15, 2, 41, TimeSpan.Zero), order.CreatedAt);
        Assert.Equal(
            [("808950810", "IPOD2008PINK", 1), ("49148385", "IPOD2008RED", 2), (null, null, 1)],
            order.LineItems!.Select(l => (l.VariantId, l.Sku, l.Quantity)));
    }

    [Fact]
    public void A_cancelled_order_yields_its_id_reason_and_time()
    {
        var order = Read<ShopifyOrder>("orders/cancelled", "orders-cancelled.json");
        Assert.Equal(("820982911946154508", "customer"), (order.Id, order.CancelReason));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 16, 15, 0, TimeSpan.Zero), order.CancelledAt);
    }

    [Fact]
    public void A_refund_yields_its_lines_with_restock_type_location_and_variant()
    {
        var refund = Read<ShopifyRefund>("refunds/create", "refunds-create.json");
        Assert.Equal(("929361463", "820982911946154508", "wrong size"), (refund.Id, refund.OrderId, refund.Note));
        Assert.Equal(
            [("return", "905684977", "457924702", 1), ("no_restock", null, "39072856", 1)],
            refund.RefundLineItems!.Select(l => (l.RestockType, l.LocationId, l.LineItem!.VariantId, l.Quantity)));
    }

    [Fact]
    public void A_checkout_yields_its_token_and_lines_and_its_deletion_the_token()
    {
        var checkout = Read<ShopifyCheckout>("checkouts/create", "checkouts-create.json");
        Assert.Equal("b1946ac92492d2347c6235b4d2611184", checkout.Token);
        Assert.Null(checkout.LocationId);
        Assert.Equal([("808950810", 1), ("49148385", 2)], checkout.LineItems!.Select(l => (l.VariantId, l.Quantity)));
        Assert.Equal("b1946ac92492d2347c6235b4d2611184", Read<ShopifyCheckout>("checkouts/delete", "checkouts-delete.json").Token);
    }

    [Fact]
    public void A_payload_of_the_wrong_shape_is_an_invalid_webhook_not_a_crash()
    {
        var webhook = Webhook("orders/create", "{\"id\": {\"nested\": true}}");
        var error = Assert.Throws<InvalidWebhookPayloadException>(() => ShopifyJson.Read<ShopifyOrder>(webhook));
        Assert.Contains("orders/create webhook wh-1", error.Message, StringComparison.Ordinal);
    }

    private static T Read<T>(string topic, string file) =>
        ShopifyJson.Read<T>(Webhook(topic, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", file))));

    private static ShopifyWebhookReceived Webhook(string topic, string body) => new()
    {
        WebhookId = "wh-1",
        Topic = topic,
        Body = body,
        ReceivedAt = DateTimeOffset.UnixEpoch,
    };
}
