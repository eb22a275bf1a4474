using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Simulators.Erp;

/// <summary>
/// The simulated ERP API under <c>/erp</c>:
/// <list type="bullet">
/// <item><c>POST /erp/postings</c> takes a batch, <c>{"postings": [{"postingId", "sequence", "kind", …}]}</c>, and
/// answers <c>200 {"results": [{"postingId", "status", "error"}]}</c>: 201 booked, 200 already booked (a repeated
/// posting id is booked once), 400 refused; or the configured fault for the whole call (503, 429 with Retry-After,
/// 400, and a delay).</item>
/// <item><c>GET /erp/postings</c>: the book, in arrival order, with each posting's delivery count;
/// <c>GET /erp/postings/calls</c>: every call and its answer; <c>DELETE /erp/postings</c>: forget both.</item>
/// <item><c>GET/PUT/DELETE /erp/faults</c>: the switchable faults (<see cref="ErpFaults"/>).</item>
/// </list>
/// </summary>
public static class ErpSimulatorApi
{
    public static IEndpointRouteBuilder MapErpSimulator(this IEndpointRouteBuilder app)
    {
        var erp = app.MapGroup("/erp");
        erp.MapGet("/faults", (ErpSimulator simulator) => Results.Ok(simulator.Faults));
        erp.MapPut("/faults", (ErpFaults faults, ErpSimulator simulator) =>
        {
            simulator.SetFaults(faults);
            return Results.Ok(faults);
        });
        erp.MapDelete("/faults", (ErpSimulator simulator) =>
        {
            simulator.SetFaults(new ErpFaults());
            return Results.NoContent();
        });

        erp.MapPost("/postings", PostAsync);
        erp.MapGet("/postings", (ErpSimulator simulator) => Results.Ok(simulator.Booked));
        erp.MapGet("/postings/calls", (ErpSimulator simulator) => Results.Ok(simulator.Calls));
        erp.MapDelete("/postings", (ErpSimulator simulator) =>
        {
            simulator.Clear();
            return Results.NoContent();
        });
        return app;
    }

    private static async Task<IResult> PostAsync(HttpRequest request, ErpSimulator simulator, CancellationToken ct)
    {
        List<JsonObject> postings;
        try
        {
            postings = (await JsonNode.ParseAsync(request.Body, cancellationToken: ct))?["postings"] is JsonArray array
                && array.All(p => p is JsonObject o && o["postingId"] is JsonValue v && v.TryGetValue<string>(out _))
                    ? [.. array.Cast<JsonObject>()]
                    : throw new JsonException("Expected {\"postings\": [{\"postingId\": \"…\", …}]}.");
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed posting batch.", detail: ex.Message);
        }

        var (status, retryAfter, delay) = simulator.NextAnswer();
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }

        if (status != StatusCodes.Status200OK)
        {
            simulator.RecordFault(status, [.. postings.Select(p => p["postingId"]!.GetValue<string>())], DateTimeOffset.UtcNow);
            if (retryAfter is { } seconds)
            {
                request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return Results.Problem(statusCode: status, title: status switch
            {
                StatusCodes.Status503ServiceUnavailable => "The ERP is unavailable (simulated outage).",
                StatusCodes.Status429TooManyRequests => "Too many requests (simulated throttling).",
                _ => "The posting batch was refused (simulated).",
            });
        }

        return Results.Ok(new { results = simulator.Book(postings, DateTimeOffset.UtcNow) });
    }
}
