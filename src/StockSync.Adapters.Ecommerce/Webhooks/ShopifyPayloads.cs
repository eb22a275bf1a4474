using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockSync.Adapters.Ecommerce.Webhooks;

// The parts of Shopify's webhook payloads (REST Admin API resources, snake_case) that StockSync reads. Everything else
// in a payload is ignored. Ids are 64-bit numbers in Shopify's JSON; they are read as text (numbers or strings alike),
// since they are looked up as external ids.

/// <summary>An order (<c>orders/create</c>, <c>orders/cancelled</c>).</summary>
public sealed record ShopifyOrder
{
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? Id { get; init; }

    /// <summary>The shop's order name, e.g. <c>#1001</c>.</summary>
    public string? Name { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary><c>customer</c>, <c>fraud</c>, <c>inventory</c>, <c>declined</c> or <c>other</c>.</summary>
    public string? CancelReason { get; init; }

    /// <summary>The checkout the order completed, whose hold the order takes over.</summary>
    public string? CheckoutToken { get; init; }

    /// <summary>
    /// StockSync's convention for store pickup: the Shopify location id of the store the customer collects from. An
    /// order with one is a click-and-collect order; without, a shipped order.
    /// </summary>
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? PickupLocationId { get; init; }

    public ShopifyCustomer? Customer { get; init; }

    public IReadOnlyList<ShopifyLineItem>? LineItems { get; init; }
}

/// <summary>The customer of an order (only the id is read: no personal data leaves the webhook).</summary>
public sealed record ShopifyCustomer
{
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? Id { get; init; }
}

/// <summary>A line of an order or a checkout.</summary>
public sealed record ShopifyLineItem
{
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? Id { get; init; }

    /// <summary>The product variant: looked up first (ExternalIds, system <c>shopify</c>, kind Sku).</summary>
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? VariantId { get; init; }

    /// <summary>The variant's SKU text: looked up when the variant id has no mapping.</summary>
    public string? Sku { get; init; }

    /// <summary>Units, in the variant's unit (converted to canonical units by the mapping's units per external unit).</summary>
    public int Quantity { get; init; }
}

/// <summary>A refund (<c>refunds/create</c>).</summary>
public sealed record ShopifyRefund
{
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? Id { get; init; }

    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? OrderId { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public string? Note { get; init; }

    public IReadOnlyList<ShopifyRefundLineItem>? RefundLineItems { get; init; }
}

/// <summary>A refunded line: restocked (<c>return</c>, <c>legacy_restock</c>) or not (<c>cancel</c>, <c>no_restock</c>).</summary>
public sealed record ShopifyRefundLineItem
{
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? LineItemId { get; init; }

    public int Quantity { get; init; }

    public string? RestockType { get; init; }

    /// <summary>The Shopify location the units were restocked at.</summary>
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? LocationId { get; init; }

    public ShopifyLineItem? LineItem { get; init; }
}

/// <summary>A checkout (<c>checkouts/create</c>, <c>checkouts/delete</c>).</summary>
public sealed record ShopifyCheckout
{
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? Id { get; init; }

    /// <summary>The checkout's token: the reservation id is built from it, and the order that completes it names it.</summary>
    public string? Token { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The Shopify location the checkout sells from, if it names one (POS checkouts do).</summary>
    [JsonConverter(typeof(ShopifyIdConverter))]
    public string? LocationId { get; init; }

    public IReadOnlyList<ShopifyLineItem>? LineItems { get; init; }
}

/// <summary>Reads a Shopify id given as a JSON number or string, as text.</summary>
public sealed class ShopifyIdConverter : JsonConverter<string?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        _ => throw new JsonException($"An id must be a number or a string, not {reader.TokenType}."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

/// <summary>How the payloads are read.</summary>
internal static class ShopifyJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static T Read<T>(ShopifyWebhookReceived webhook)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(webhook.Body, Options)
                ?? throw new InvalidWebhookPayloadException(webhook, "The body is null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidWebhookPayloadException(webhook, $"The body is not a {webhook.Topic} payload: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// A verified webhook whose payload StockSync cannot act on (a required field missing, a quantity below one). It faults
/// to the error queue with the reason and the raw payload, and is not retried: retrying would not change it.
/// </summary>
public sealed class InvalidWebhookPayloadException : Exception
{
    public InvalidWebhookPayloadException()
    {
    }

    public InvalidWebhookPayloadException(string message)
        : base(message)
    {
    }

    public InvalidWebhookPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidWebhookPayloadException(ShopifyWebhookReceived webhook, string reason, Exception? innerException = null)
        : base($"{webhook?.Topic} webhook {webhook?.WebhookId}: {reason}", innerException)
    {
    }
}
