using System.Globalization;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Adapters;

namespace StockSync.Adapters.Ecommerce.Webhooks;

/// <summary>
/// <c>POST /webhooks/shopify/{resource}/{event}</c>: the storefront's webhooks in, one URL per topic (the route is the
/// topic, e.g. <c>/webhooks/shopify/orders/create</c>; an <c>X-Shopify-Topic</c> header, when sent, must agree).
/// <list type="number">
/// <item>The signature (<c>X-Shopify-Hmac-Sha256</c>) is checked over the raw body before anything else: a missing or
/// wrong one is a 401 problem, and nothing is read, stored or published.</item>
/// <item>The delivery id (<c>X-Shopify-Webhook-Id</c>) is recorded in <c>webhook_receipts</c> in the same transaction
/// as the outbox row carrying the raw body to <see cref="ShopifyWebhookConsumer"/>; a re-delivery answers 200 and does
/// nothing.</item>
/// <item>The answer comes as soon as that commit is done (202); translating and applying happen asynchronously.</item>
/// </list>
/// </summary>
public static partial class ShopifyWebhooksApi
{
    public const string SignatureInvalid = "urn:stocksync:problem:webhook-signature-invalid";
    public const string InvalidWebhook = "urn:stocksync:problem:invalid-webhook";
    public const string UnsupportedTopic = "urn:stocksync:problem:unsupported-webhook-topic";
    public const string WebhookTooLarge = "urn:stocksync:problem:payload-too-large";

    /// <summary>Maps the webhook endpoint.</summary>
    public static IEndpointRouteBuilder MapShopifyWebhooks(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/webhooks/shopify/{resource}/{event}", ReceiveAsync)
            .WithTags("Storefront webhooks")
            .WithName("ReceiveShopifyWebhook")
            .WithSummary("Takes a signed Shopify webhook (orders/create, orders/cancelled, refunds/create, checkouts/create, checkouts/delete).")
            .Accepts<JsonElement>("application/json")
            .Produces<WebhookAccepted>(StatusCodes.Status202Accepted)
            .Produces<WebhookAccepted>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string resource,
        string @event,
        HttpRequest request,
        IOptionsMonitor<EcommerceOptions> options,
        WebhookReceipts receipts,
        IPublishEndpoint publisher,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var logger = loggers.CreateLogger(typeof(ShopifyWebhooksApi));
        var body = await ReadBodyAsync(request, settings.MaxWebhookBytes, ct);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, WebhookTooLarge, "The webhook is too large", $"A webhook body may be at most {settings.MaxWebhookBytes} bytes.");
        }

        // The signature first: until it is proven, nothing of the request is trusted, read further, or stored.
        if (!WebhookSignature.IsValid(settings.WebhookSecret, body, request.Headers[WebhookSignature.Header].ToString()))
        {
            LogRefused(logger, $"{resource}/{@event}", request.Headers[WebhookHeaders.WebhookId].ToString(), request.Headers.ContainsKey(WebhookSignature.Header));
            return Problem(
                StatusCodes.Status401Unauthorized,
                SignatureInvalid,
                "The webhook's signature is missing or wrong",
                $"{WebhookSignature.Header} must be base64(HMAC-SHA256(shared secret, raw body)). The webhook was refused and had no effect.");
        }

        var topic = $"{resource}/{@event}";
        var problem = CheckHeaders(request, topic, out var webhookId, out var triggeredAt);
        if (problem is not null)
        {
            return problem;
        }

        if (!ShopifyTopics.All.Contains(topic))
        {
            return Problem(StatusCodes.Status400BadRequest, UnsupportedTopic, "Unsupported webhook topic", $"StockSync takes {string.Join(", ", ShopifyTopics.All)}; not '{topic}'.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(body);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problem(StatusCodes.Status400BadRequest, InvalidWebhook, "The webhook body is not a JSON object", "A webhook body is one JSON object.");
            }
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            return Problem(StatusCodes.Status400BadRequest, InvalidWebhook, "The webhook body is not valid JSON", ex.Message);
        }

        var now = time.GetUtcNow();
        var message = new ShopifyWebhookReceived
        {
            WebhookId = webhookId!,
            Topic = topic,
            ShopDomain = request.Headers[WebhookHeaders.ShopDomain].ToString() is { Length: > 0 } shop ? shop : null,
            Body = text,
            ReceivedAt = now,
            TriggeredAt = triggeredAt,
        };
        var receipt = new WebhookReceiptRecord
        {
            Source = settings.System,
            WebhookId = webhookId!,
            Topic = topic,
            ReceivedAt = now.UtcDateTime,
            TriggeredAt = triggeredAt?.UtcDateTime,
            BodyBytes = body.Length,
        };

        // The scoped publish endpoint is the bus outbox: the receipt and the raw payload commit together.
        var accepted = await receipts.AcceptAsync(receipt, c => publisher.Publish(message, c), ct);
        if (!accepted)
        {
            LogDuplicate(logger, topic, webhookId!);
            return TypedResults.Ok(new WebhookAccepted(webhookId!, topic, Duplicate: true));
        }

        LogAccepted(logger, topic, webhookId!, body.Length);
        return TypedResults.Accepted((string?)null, new WebhookAccepted(webhookId!, topic, Duplicate: false));
    }

    private static ProblemHttpResult? CheckHeaders(HttpRequest request, string topic, out string? webhookId, out DateTimeOffset? triggeredAt)
    {
        webhookId = request.Headers[WebhookHeaders.WebhookId].ToString().Trim();
        triggeredAt = null;
        if (webhookId.Length == 0 || webhookId.Length > 128 || webhookId.Any(char.IsControl))
        {
            return Problem(StatusCodes.Status400BadRequest, InvalidWebhook, "The webhook has no usable id", $"{WebhookHeaders.WebhookId} must be present (at most 128 characters): it is what makes a re-delivery harmless.");
        }

        var headerTopic = request.Headers[WebhookHeaders.Topic].ToString();
        if (headerTopic.Length > 0 && !string.Equals(headerTopic, topic, StringComparison.Ordinal))
        {
            return Problem(StatusCodes.Status400BadRequest, InvalidWebhook, "The topic header does not match the URL", $"{WebhookHeaders.Topic} says '{headerTopic}' but the webhook was posted to the URL of '{topic}'.");
        }

        if (request.Headers[WebhookHeaders.TriggeredAt].ToString() is { Length: > 0 } triggered
            && DateTimeOffset.TryParse(triggered, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            triggeredAt = at;
        }

        return null;
    }

    /// <summary>The raw body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult Problem(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a {Topic} webhook {WebhookId}: signature missing or wrong (header present: {SignaturePresent})")]
    private static partial void LogRefused(ILogger logger, string topic, string webhookId, bool signaturePresent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted {Topic} webhook {WebhookId} ({Bytes} bytes)")]
    private static partial void LogAccepted(ILogger logger, string topic, string webhookId, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic} webhook {WebhookId} was received before: answered without effect")]
    private static partial void LogDuplicate(ILogger logger, string topic, string webhookId);
}

/// <summary>Shopify's webhook headers.</summary>
public static class WebhookHeaders
{
    public const string Topic = "X-Shopify-Topic";
    public const string WebhookId = "X-Shopify-Webhook-Id";
    public const string ShopDomain = "X-Shopify-Shop-Domain";
    public const string TriggeredAt = "X-Shopify-Triggered-At";
    public const string ApiVersion = "X-Shopify-API-Version";
}

/// <summary>The answer to a webhook: accepted for processing (202), or a duplicate of one already accepted (200).</summary>
public sealed record WebhookAccepted(string WebhookId, string Topic, bool Duplicate);
