using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Simulators.Storefront;

/// <summary>What to send as a webhook: <c>POST /storefront/webhooks/send</c>.</summary>
public sealed record SendWebhookRequest
{
    /// <summary>The topic, e.g. <c>orders/create</c>.</summary>
    public string? Topic { get; init; }

    /// <summary>The payload (a Shopify resource as JSON).</summary>
    public JsonNode? Payload { get; init; }

    /// <summary>The delivery id (<c>X-Shopify-Webhook-Id</c>); a new one when absent.</summary>
    public string? WebhookId { get; init; }

    /// <summary>How many times to deliver it, with the same id and bytes (a re-delivery); 1 when absent.</summary>
    public int? Deliveries { get; init; }

    /// <summary>Deliver it twice (as <c>deliveries: 2</c>).</summary>
    public bool Duplicate { get; init; }

    /// <summary>Send the deliveries at the same moment instead of one after the other.</summary>
    public bool Concurrent { get; init; }

    /// <summary>Sign with the wrong secret.</summary>
    public bool BadSignature { get; init; }

    /// <summary>Send no signature header.</summary>
    public bool OmitSignature { get; init; }

    /// <summary>StockSync's webhook URL without the topic; the configured <c>Storefront:WebhookTarget</c> when absent.</summary>
    public string? Target { get; init; }
}

/// <summary>The simulated storefront (Shopify-shaped), under <c>/storefront</c>.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>POST /storefront/admin/api/{version}/inventory_levels/set.json</c> (<c>inventory_item_id</c>, <c>location_id</c>,
/// <c>available</c>): Shopify's inventory API, behind a leaky-bucket rate limit (429 with Retry-After when exceeded) and
/// the switchable faults;</item>
/// <item><c>GET /storefront/inventory_levels</c>: the latest available per item × location; <c>GET /storefront/calls</c>:
/// every call with its answer;</item>
/// <item><c>GET/PUT/DELETE /storefront/faults</c> (outage, delayMs, failNext, throttleNext, retryAfterSeconds);
/// <c>GET/PUT /storefront/rate-limit</c> (requestsPerSecond, burst); <c>POST /storefront/reset</c>;</item>
/// <item><c>POST /storefront/webhooks/send</c>: signs a payload and posts it to StockSync as the storefront would (also
/// duplicated, concurrently, or badly signed); <c>GET /storefront/webhooks/deliveries</c>.</item>
/// </list>
/// </remarks>
public static class StorefrontSimulatorApi
{
    public const string HttpClientName = "storefront-webhooks";

    public static IEndpointRouteBuilder MapStorefrontSimulator(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/storefront");
        group.MapPost("/admin/api/{version}/inventory_levels/set.json", SetInventoryLevelAsync);
        group.MapGet("/inventory_levels", (StorefrontSimulator simulator) => Results.Ok(simulator.Levels));
        group.MapGet("/calls", (StorefrontSimulator simulator) => Results.Ok(simulator.Calls));
        group.MapGet("/faults", (StorefrontSimulator simulator) => Results.Ok(simulator.Faults));
        group.MapPut("/faults", (StorefrontFaults faults, StorefrontSimulator simulator) =>
        {
            simulator.Faults = faults;
            return Results.Ok(faults);
        });
        group.MapDelete("/faults", (StorefrontSimulator simulator) =>
        {
            simulator.Faults = new StorefrontFaults();
            return Results.NoContent();
        });
        group.MapGet("/rate-limit", (StorefrontSimulator simulator) => Results.Ok(simulator.RateLimit));
        group.MapPut("/rate-limit", (StorefrontRateLimit limit, StorefrontSimulator simulator) =>
        {
            if (!(limit.RequestsPerSecond > 0) || limit.Burst < 1)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "requestsPerSecond must be above 0 and burst at least 1.");
            }

            simulator.RateLimit = limit;
            return Results.Ok(limit);
        });
        group.MapPost("/reset", (StorefrontSimulator simulator) =>
        {
            simulator.Reset();
            return Results.NoContent();
        });
        group.MapPost("/webhooks/send", SendWebhookAsync);
        group.MapGet("/webhooks/deliveries", (StorefrontSimulator simulator) => Results.Ok(simulator.Deliveries));
        return app;
    }

    private static async Task<IResult> SetInventoryLevelAsync(HttpRequest request, StorefrontSimulator simulator, CancellationToken ct)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        JsonNode? body = null;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            // Answered below as a 400.
        }

        var item = Long(body, "inventory_item_id");
        var location = Long(body, "location_id");
        var available = Int(body, "available");
        var (status, retryAfter, reason, delay) = simulator.Admit();
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }

        if (status == StatusCodes.Status200OK && (item is null || location is null || available is null))
        {
            status = item is null && location is null && available is null ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;
            reason = "invalid";
        }

        simulator.Record(new StorefrontCall(receivedAt, status, retryAfter, reason, item, location, available));
        if (retryAfter is { } seconds)
        {
            request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return status switch
        {
            StatusCodes.Status200OK => Results.Ok(new
            {
                inventory_level = simulator.Set(item!.Value, location!.Value, available!.Value) is var level
                    ? new { inventory_item_id = level.InventoryItemId, location_id = level.LocationId, available = level.Available, updated_at = level.UpdatedAt }
                    : null,
            }),
            StatusCodes.Status429TooManyRequests => Results.Json(new { errors = "Exceeded the call rate for api client. Reduce request rates to resume uninterrupted service." }, statusCode: status),
            StatusCodes.Status503ServiceUnavailable => Results.Json(new { errors = "Service unavailable (simulated)." }, statusCode: status),
            _ => Results.Json(new { errors = new { inventory_item_id = item is null ? "is required" : null, location_id = location is null ? "is required" : null, available = available is null ? "is required" : null } }, statusCode: status),
        };
    }

    private static async Task<IResult> SendWebhookAsync(SendWebhookRequest send, StorefrontSimulator simulator, IHttpClientFactory clients, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(send.Topic) || !send.Topic.Contains('/', StringComparison.Ordinal) || send.Payload is not JsonObject)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Send a topic (e.g. orders/create) and a JSON object payload.");
        }

        var deliveries = send.Deliveries ?? (send.Duplicate ? 2 : 1);
        if (deliveries is < 1 or > 20)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "deliveries must be between 1 and 20.");
        }

        var options = simulator.Options;
        var target = (send.Target ?? options.WebhookTarget).TrimEnd('/');
        var webhookId = send.WebhookId ?? Guid.NewGuid().ToString();
        var bytes = Encoding.UTF8.GetBytes(send.Payload.ToJsonString());
        var secret = send.BadSignature ? options.WebhookSecret + "-but-wrong" : options.WebhookSecret;
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), bytes));
        var client = clients.CreateClient(HttpClientName);

        async Task<object> DeliverAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{target}/{send.Topic}"))
            {
                Content = new ByteArrayContent(bytes),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Shopify-Topic", send.Topic);
            request.Headers.Add("X-Shopify-Webhook-Id", webhookId);
            request.Headers.Add("X-Shopify-Shop-Domain", options.ShopDomain);
            request.Headers.Add("X-Shopify-API-Version", "2024-07");
            request.Headers.Add("X-Shopify-Triggered-At", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            if (!send.OmitSignature)
            {
                request.Headers.Add("X-Shopify-Hmac-Sha256", signature);
            }

            try
            {
                using var response = await client.SendAsync(request, ct);
                var answer = await response.Content.ReadAsStringAsync(ct);
                simulator.Record(new WebhookDelivery(webhookId, send.Topic, DateTimeOffset.UtcNow, send.OmitSignature ? string.Empty : signature, (int)response.StatusCode, answer));
                return new { status = (int)response.StatusCode, body = Parse(answer) };
            }
            catch (HttpRequestException ex)
            {
                simulator.Record(new WebhookDelivery(webhookId, send.Topic, DateTimeOffset.UtcNow, signature, 0, ex.Message));
                return new { status = 0, body = (JsonNode?)JsonValue.Create(ex.Message) };
            }
        }

        var results = new List<object>();
        if (send.Concurrent)
        {
            results.AddRange(await Task.WhenAll(Enumerable.Range(0, deliveries).Select(_ => DeliverAsync())));
        }
        else
        {
            for (var i = 0; i < deliveries; i++)
            {
                results.Add(await DeliverAsync());
            }
        }

        return Results.Ok(new { webhookId, topic = send.Topic, deliveries = results });
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static long? Long(JsonNode? body, string name) =>
        body is JsonObject o && o[name] is JsonValue v && (v.TryGetValue<long>(out var n) || (v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n))) ? n : null;

    private static int? Int(JsonNode? body, string name) =>
        body is JsonObject o && o[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
}
