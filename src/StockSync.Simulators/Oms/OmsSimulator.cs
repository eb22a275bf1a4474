using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace StockSync.Simulators.Oms;

/// <summary>The faults and behaviour of the simulated OMS.</summary>
public sealed record OmsSettings
{
    /// <summary>Every call fails with 503 until switched off.</summary>
    public bool Outage { get; init; }

    /// <summary>Each call is answered only after this many milliseconds.</summary>
    public int DelayMs { get; init; }

    /// <summary>The next N calls fail with 503.</summary>
    public int FailNext { get; init; }

    /// <summary>Whether the OMS confirms each fulfillment by itself (picked, then dispatched or ready for pickup).</summary>
    public bool AutoConfirm { get; init; } = true;

    /// <summary>How long after a request the OMS confirms it.</summary>
    public int ConfirmDelayMs { get; init; } = 300;

    /// <summary>The next N fulfillments are short-picked (one unit of the first line missing) instead of confirmed.</summary>
    public int ShortPickNext { get; init; }

    /// <summary>Where StockSync is (the OMS posts its events to <c>{StockSyncUrl}/oms/events</c>).</summary>
    public string StockSyncUrl { get; init; } = "http://localhost:5080";
}

/// <summary>One fulfillment request the simulated OMS received.</summary>
public sealed record OmsFulfillment(string ShipmentId, string OrderId, string LocationId, string Kind, JsonNode? Lines, DateTimeOffset ReceivedAt)
{
    public string Status { get; set; } = "Requested";
}

/// <summary>
/// The simulated order management system: it takes StockSync's fulfillment requests and cancellations over HTTP and,
/// unless told otherwise, confirms each one back to StockSync (<c>POST /oms/events</c>) a moment later, the way store
/// staff working through the OMS would. Faults: outage, slow answers, failures, short picks.
/// </summary>
public sealed class OmsSimulator(ILogger<OmsSimulator> logger)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<string, OmsFulfillment> _fulfillments = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private OmsSettings _settings = new();

    public OmsSettings Settings
    {
        get => _settings;
        set => _settings = value;
    }

    public IReadOnlyList<OmsFulfillment> Fulfillments => [.. _fulfillments.Values.OrderBy(f => f.ReceivedAt)];

    /// <summary>The status to answer the next call with (consuming a counted failure).</summary>
    public (int Status, int DelayMs) NextAnswer()
    {
        lock (_gate)
        {
            var s = _settings;
            if (s.Outage)
            {
                return (StatusCodes.Status503ServiceUnavailable, s.DelayMs);
            }

            if (s.FailNext > 0)
            {
                _settings = s with { FailNext = s.FailNext - 1 };
                return (StatusCodes.Status503ServiceUnavailable, s.DelayMs);
            }

            return (StatusCodes.Status200OK, s.DelayMs);
        }
    }

    /// <summary>Records a request (a repeat of the same shipment is the same fulfillment) and schedules its confirmation.</summary>
    public void Request(OmsFulfillment fulfillment)
    {
        if (!_fulfillments.TryAdd(fulfillment.ShipmentId, fulfillment))
        {
            return;
        }

        bool shortPick;
        lock (_gate)
        {
            shortPick = _settings.ShortPickNext > 0;
            if (shortPick)
            {
                _settings = _settings with { ShortPickNext = _settings.ShortPickNext - 1 };
            }
        }

        if (_settings.AutoConfirm)
        {
            _ = Task.Run(() => ConfirmAsync(fulfillment, shortPick));
        }
    }

    /// <summary>Records a cancellation; a fulfillment cancelled before it was confirmed is never confirmed.</summary>
    public void Cancel(string shipmentId, string orderId, string locationId)
    {
        var cancelled = _fulfillments.GetOrAdd(shipmentId, _ => new OmsFulfillment(shipmentId, orderId, locationId, "Unknown", null, DateTimeOffset.UtcNow));
        cancelled.Status = "Cancelled";
    }

    private async Task ConfirmAsync(OmsFulfillment f, bool shortPick)
    {
        await Task.Delay(_settings.ConfirmDelayMs).ConfigureAwait(false);
        if (f.Status == "Cancelled")
        {
            return;
        }

        if (shortPick && f.Lines?.AsArray().FirstOrDefault() is { } first)
        {
            f.Status = "ShortPicked";
            await SendAsync(f, "ShortPicked", new { missingLines = new[] { new { sku = first["sku"]!.GetValue<string>(), quantity = 1 } } }).ConfigureAwait(false);
            if (f.Lines.AsArray().Sum(l => l!["quantity"]!.GetValue<int>()) == 1)
            {
                return; // nothing was found: the shipment is gone
            }
        }

        // Events of one shipment go out one step apart, as picking and packing take time in a store or DC.
        await Task.Delay(_settings.ConfirmDelayMs).ConfigureAwait(false);
        f.Status = "Picked";
        await SendAsync(f, "Picked", null).ConfigureAwait(false);
        await Task.Delay(_settings.ConfirmDelayMs).ConfigureAwait(false);
        f.Status = f.Kind == "StorePickup" ? "ReadyForPickup" : "Dispatched";
        await SendAsync(f, f.Status, f.Kind == "StorePickup" ? null : new { trackingNumber = $"SIM{Math.Abs(f.ShipmentId.GetHashCode(StringComparison.Ordinal)) % 1_000_000:D6}" }).ConfigureAwait(false);
    }

    private async Task SendAsync(OmsFulfillment f, string type, object? extra)
    {
        var body = new JsonObject
        {
            ["eventId"] = $"{f.ShipmentId}:{type}",
            ["type"] = type,
            ["orderId"] = f.OrderId,
            ["locationId"] = f.LocationId,
            ["shipmentId"] = f.ShipmentId,
        };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializerNode(extra))
            {
                body[key] = value?.DeepClone();
            }
        }

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                using var response = await Http.PostAsJsonAsync(new Uri($"{_settings.StockSyncUrl.TrimEnd('/')}/oms/events"), body).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                logger.LogWarning("StockSync answered {Status} to OMS event {Type} of {ShipmentId}", (int)response.StatusCode, type, f.ShipmentId);
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning("StockSync could not be reached for OMS event {Type} of {ShipmentId}: {Error}", type, f.ShipmentId, ex.Message);
            }

            await Task.Delay(TimeSpan.FromSeconds(attempt)).ConfigureAwait(false);
        }
    }

    private static JsonObject JsonSerializerNode(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value)!.AsObject();
}

/// <summary>
/// The simulated OMS API: <c>POST /oms/fulfillments</c>, <c>POST /oms/fulfillments/{shipmentId}/cancel</c>,
/// <c>GET /oms/fulfillments</c>, and <c>GET/PUT /oms/settings</c> for faults and behaviour.
/// </summary>
public static class OmsSimulatorApi
{
    public static IEndpointRouteBuilder MapOmsSimulator(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/oms");
        group.MapPost("/fulfillments", async (JsonNode body, OmsSimulator oms, CancellationToken ct) =>
        {
            var (status, delay) = oms.NextAnswer();
            await DelayAsync(delay, ct);
            if (status != StatusCodes.Status200OK)
            {
                return Results.Problem(statusCode: status, title: "The OMS is unavailable (simulated).");
            }

            oms.Request(new OmsFulfillment(
                body["shipmentId"]!.GetValue<string>(), body["orderId"]!.GetValue<string>(), body["locationId"]!.GetValue<string>(),
                body["kind"]?.GetValue<string>() ?? "Ship", body["lines"]?.DeepClone(), DateTimeOffset.UtcNow));
            return Results.Ok(new { accepted = true });
        });
        group.MapPost("/fulfillments/{shipmentId}/cancel", async (string shipmentId, JsonNode body, OmsSimulator oms, CancellationToken ct) =>
        {
            var (status, delay) = oms.NextAnswer();
            await DelayAsync(delay, ct);
            if (status != StatusCodes.Status200OK)
            {
                return Results.Problem(statusCode: status, title: "The OMS is unavailable (simulated).");
            }

            oms.Cancel(shipmentId, body["orderId"]?.GetValue<string>() ?? string.Empty, body["locationId"]?.GetValue<string>() ?? string.Empty);
            return Results.Ok(new { cancelled = true });
        });
        group.MapGet("/fulfillments", (OmsSimulator oms) => Results.Ok(oms.Fulfillments));
        group.MapGet("/settings", (OmsSimulator oms) => Results.Ok(oms.Settings));
        group.MapPut("/settings", (OmsSettings settings, OmsSimulator oms) =>
        {
            oms.Settings = settings;
            return Results.Ok(settings);
        });
        return app;
    }

    private static Task DelayAsync(int milliseconds, CancellationToken ct) => milliseconds > 0 ? Task.Delay(milliseconds, ct) : Task.CompletedTask;
}
