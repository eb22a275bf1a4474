using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace StockSync.Simulators.Marketplaces;

/// <summary>The faults a simulated marketplace is told to show.</summary>
public sealed record MarketplaceFaults
{
    /// <summary>Every call fails with 503 until switched off.</summary>
    public bool Outage { get; init; }

    /// <summary>Each call is answered only after this many milliseconds.</summary>
    public int DelayMs { get; init; }

    /// <summary>The next N calls fail with 503.</summary>
    public int FailNext { get; init; }

    /// <summary>The next N calls are throttled with 429 and <see cref="RetryAfterSeconds"/>.</summary>
    public int ThrottleNext { get; init; }

    /// <summary>The Retry-After of a throttled call.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>The next N calls are refused with 400 (a malformed acknowledgment, as the marketplace sees it).</summary>
    public int RefuseNext { get; init; }
}

/// <summary>An order placed on a simulated marketplace, as its API lists it.</summary>
public sealed class SimulatedMarketplaceOrder
{
    public required string MarketplaceOrderId { get; init; }

    /// <summary>The lines, with the marketplace's own SKUs.</summary>
    public required JsonNode Lines { get; init; }

    public required DateTimeOffset OrderedAt { get; init; }

    public DateTimeOffset? AcknowledgeBy { get; init; }

    /// <summary>Created, Acknowledged, Rejected (every line) or Shipped.</summary>
    public string Status { get; set; } = "Created";

    /// <summary>The shipment confirmations received.</summary>
    public List<JsonNode> Shipments { get; } = [];
}

/// <summary>One acknowledgment call the simulated marketplace received, and how it answered.</summary>
public sealed record AcknowledgementCall(string MarketplaceOrderId, DateTimeOffset ReceivedAt, int Status, JsonNode? Body);

/// <summary>
/// The state of the simulated marketplaces: the faults each is showing, and every acknowledgment call received, so a
/// test or the demo can check what the marketplace saw.
/// </summary>
public sealed class MarketplaceSimulator
{
    private readonly ConcurrentDictionary<string, MarketplaceFaults> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<AcknowledgementCall>> _calls = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<(string Marketplace, string Id), SimulatedMarketplaceOrder> _orders = new();

    /// <summary>Places an order on <paramref name="marketplace"/> (a repeat of an id is ignored).</summary>
    public SimulatedMarketplaceOrder Place(string marketplace, SimulatedMarketplaceOrder order) => _orders.GetOrAdd((marketplace, order.MarketplaceOrderId), order);

    /// <summary>The orders of <paramref name="marketplace"/> in <paramref name="status"/> (all when null), oldest first.</summary>
    public IReadOnlyList<SimulatedMarketplaceOrder> Orders(string marketplace, string? status) =>
        [.. _orders.Where(o => o.Key.Marketplace == marketplace && (status is null || o.Value.Status == status)).Select(o => o.Value).OrderBy(o => o.OrderedAt)];

    /// <summary>One order, or null.</summary>
    public SimulatedMarketplaceOrder? Order(string marketplace, string id) => _orders.GetValueOrDefault((marketplace, id));

    /// <summary>Marks an order acknowledged (or rejected, when no line was accepted) after a successful acknowledgment.</summary>
    public void Acknowledged(string marketplace, string id, JsonNode? body)
    {
        if (Order(marketplace, id) is { Status: "Created" } order)
        {
            var accepted = body?["lines"]?.AsArray().Any(l => l?["status"]?.GetValue<string>() == "Accepted") ?? false;
            order.Status = accepted ? "Acknowledged" : "Rejected";
        }
    }

    /// <summary>The faults of <paramref name="marketplace"/>.</summary>
    public MarketplaceFaults FaultsOf(string marketplace) => _faults.GetValueOrDefault(marketplace) ?? new MarketplaceFaults();

    /// <summary>Sets (replaces) the faults of <paramref name="marketplace"/>.</summary>
    public void SetFaults(string marketplace, MarketplaceFaults faults) => _faults[marketplace] = faults;

    /// <summary>
    /// Decides the answer to the next call (consuming one of the counted faults): the status and the Retry-After, if any.
    /// </summary>
    public (int Status, int? RetryAfterSeconds, int DelayMs) NextAnswer(string marketplace)
    {
        lock (_gate)
        {
            var faults = FaultsOf(marketplace);
            if (faults.Outage)
            {
                return (StatusCodes.Status503ServiceUnavailable, null, faults.DelayMs);
            }

            if (faults.FailNext > 0)
            {
                _faults[marketplace] = faults with { FailNext = faults.FailNext - 1 };
                return (StatusCodes.Status503ServiceUnavailable, null, faults.DelayMs);
            }

            if (faults.ThrottleNext > 0)
            {
                _faults[marketplace] = faults with { ThrottleNext = faults.ThrottleNext - 1 };
                return (StatusCodes.Status429TooManyRequests, faults.RetryAfterSeconds, faults.DelayMs);
            }

            if (faults.RefuseNext > 0)
            {
                _faults[marketplace] = faults with { RefuseNext = faults.RefuseNext - 1 };
                return (StatusCodes.Status400BadRequest, null, faults.DelayMs);
            }

            return (StatusCodes.Status200OK, null, faults.DelayMs);
        }
    }

    /// <summary>Records a call.</summary>
    public void Record(string marketplace, AcknowledgementCall call) =>
        _calls.GetOrAdd(marketplace, _ => new ConcurrentQueue<AcknowledgementCall>()).Enqueue(call);

    /// <summary>The calls for one order of <paramref name="marketplace"/>, oldest first.</summary>
    public IReadOnlyList<AcknowledgementCall> CallsFor(string marketplace, string marketplaceOrderId) =>
        [.. (_calls.GetValueOrDefault(marketplace) ?? new ConcurrentQueue<AcknowledgementCall>()).Where(c => c.MarketplaceOrderId == marketplaceOrderId)];
}

/// <summary>
/// The simulated marketplace API: <c>POST /marketplaces/{name}/orders/{id}/acknowledgement</c> (answers 200, or the
/// configured fault), <c>GET …/acknowledgements</c> (what it received), and <c>PUT/DELETE /marketplaces/{name}/faults</c>.
/// </summary>
public static class MarketplaceSimulatorApi
{
    public static IEndpointRouteBuilder MapMarketplaceSimulator(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/marketplaces/{marketplace}");
        group.MapPost("/orders/{marketplaceOrderId}/acknowledgement", async (string marketplace, string marketplaceOrderId, HttpRequest request, MarketplaceSimulator simulator, CancellationToken ct) =>
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
            var (status, retryAfter, delay) = simulator.NextAnswer(marketplace);
            if (delay > 0)
            {
                await Task.Delay(delay, ct);
            }

            simulator.Record(marketplace, new AcknowledgementCall(marketplaceOrderId, DateTimeOffset.UtcNow, status, body));
            if (status == StatusCodes.Status200OK)
            {
                simulator.Acknowledged(marketplace, marketplaceOrderId, body);
            }

            if (retryAfter is { } seconds)
            {
                request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return status == StatusCodes.Status200OK
                ? Results.Ok(new { purchaseOrderId = marketplaceOrderId, status = "Acknowledged" })
                : Results.Problem(statusCode: status, title: status switch
                {
                    StatusCodes.Status503ServiceUnavailable => "The marketplace is unavailable (simulated outage).",
                    StatusCodes.Status429TooManyRequests => "Too many requests (simulated throttling).",
                    _ => "The acknowledgment was refused (simulated).",
                });
        });
        group.MapGet("/orders/{marketplaceOrderId}/acknowledgements", (string marketplace, string marketplaceOrderId, MarketplaceSimulator simulator) =>
            Results.Ok(simulator.CallsFor(marketplace, marketplaceOrderId)));
        group.MapPost("/orders", (string marketplace, JsonObject body, MarketplaceSimulator simulator) =>
        {
            if (body["marketplaceOrderId"]?.GetValue<string>() is not { Length: > 0 } id || body["lines"] is not JsonArray lines)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "An order needs a marketplaceOrderId and lines.");
            }

            var order = simulator.Place(marketplace, new SimulatedMarketplaceOrder
            {
                MarketplaceOrderId = id,
                Lines = lines.DeepClone(),
                OrderedAt = body["orderedAt"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.UtcNow,
                AcknowledgeBy = body["acknowledgeBy"]?.GetValue<DateTimeOffset?>(),
            });
            return Results.Ok(order);
        });
        group.MapGet("/orders", (string marketplace, string? status, MarketplaceSimulator simulator) =>
        {
            var (answer, retryAfter, _) = simulator.NextAnswer(marketplace);
            return answer == StatusCodes.Status200OK
                ? Results.Ok(simulator.Orders(marketplace, status))
                : Results.Problem(statusCode: answer, title: "The marketplace is unavailable (simulated).", extensions: retryAfter is null ? null : new Dictionary<string, object?> { ["retryAfter"] = retryAfter });
        });
        group.MapGet("/orders/{marketplaceOrderId}", (string marketplace, string marketplaceOrderId, MarketplaceSimulator simulator) =>
            simulator.Order(marketplace, marketplaceOrderId) is { } order ? Results.Ok(order) : Results.NotFound());
        group.MapPost("/orders/{marketplaceOrderId}/shipments", (string marketplace, string marketplaceOrderId, JsonNode body, MarketplaceSimulator simulator) =>
        {
            if (simulator.Order(marketplace, marketplaceOrderId) is not { } order)
            {
                return Results.NotFound();
            }

            order.Shipments.Add(body.DeepClone());
            order.Status = "Shipped";
            return Results.Ok(order);
        });
        group.MapGet("/faults", (string marketplace, MarketplaceSimulator simulator) => Results.Ok(simulator.FaultsOf(marketplace)));
        group.MapPut("/faults", (string marketplace, MarketplaceFaults faults, MarketplaceSimulator simulator) =>
        {
            simulator.SetFaults(marketplace, faults);
            return Results.Ok(faults);
        });
        group.MapDelete("/faults", (string marketplace, MarketplaceSimulator simulator) =>
        {
            simulator.SetFaults(marketplace, new MarketplaceFaults());
            return Results.NoContent();
        });
        return app;
    }
}
