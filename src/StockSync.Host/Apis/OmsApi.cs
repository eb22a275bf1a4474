using MassTransit;
using StockSync.Adapters.Oms;
using StockSync.Inventory;
using StockSync.Persistence;
using StockSync.Sagas;

namespace StockSync.Host.Apis;

/// <summary>
/// The OMS's confirmations in: <c>POST /oms/events</c> takes one event or an array (picked, short-picked, ready for
/// pickup, dispatched), checks them, and publishes the canonical store events through the bus outbox (202). Each is
/// published under a message id derived from the OMS's event id, so a re-delivered event has one effect.
/// </summary>
internal static class OmsApi
{
    /// <summary>The most events one request may carry.</summary>
    public const int MaxEvents = 500;

    public static IEndpointRouteBuilder MapOmsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/oms").WithTags("OMS")
            .MapPost("/events", ReceiveAsync)
            .WithName("ReceiveOmsEvents")
            .WithSummary("Takes the OMS's pick, short-pick, ready-for-pickup and dispatch confirmations (one event or an array).")
            .Accepts<OmsEvent[]>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, IPublishEndpoint publisher, StockSyncDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (events, problem) = await ReadAsync(request, ct);
        if (problem is not null)
        {
            return problem;
        }

        var problems = events!.SelectMany((e, i) => Check(e, $"[{i}]")).ToList();
        if (events!.Count > MaxEvents)
        {
            problems.Add(new("events", $"At most {MaxEvents} events per request."));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "The OMS events are not valid; none was accepted.", problems);
        }

        var now = time.GetUtcNow();
        foreach (var e in events)
        {
            var message = OmsEvents.ToCanonical(e, now);
            // Under the order's conversation (delivered and applied in the order received), with a message id derived
            // from the OMS's event id (a re-delivered event is the same message, taken once by the sagas' inbox).
            await OrderApiSupport.PublishAsync(publisher, message, ct, OmsEvents.MessageIdFor(e.EventId));
        }

        await db.SaveChangesAsync(ct);
        return Results.Accepted(value: new { accepted = events.Count });
    }

    private static async Task<(IReadOnlyList<OmsEvent>? Events, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        var first = await FirstNonSpaceAsync(request, ct);
        if (first == '[')
        {
            var (array, problem) = await JsonBody.ReadAsync<OmsEvent[]>(request, null, ct);
            return (array, problem);
        }

        var (single, error) = await JsonBody.ReadAsync<OmsEvent>(request, null, ct);
        return (single is null ? null : [single], error);
    }

    private static async Task<char?> FirstNonSpaceAsync(HttpRequest request, CancellationToken ct)
    {
        var buffer = new byte[64];
        var read = await request.Body.ReadAsync(buffer, ct);
        request.Body.Position = 0;
        return buffer.Take(read).Select(b => (char)b).FirstOrDefault(c => !char.IsWhiteSpace(c));
    }

    private static IEnumerable<ValidationProblem> Check(OmsEvent? e, string at)
    {
        if (e is null)
        {
            yield return new(at, "An event cannot be null.");
            yield break;
        }

        foreach (var p in new[] { MovementValidator.CheckId($"{at}.eventId", e.EventId), MovementValidator.CheckId($"{at}.locationId", e.LocationId) }.OfType<ValidationProblem>())
        {
            yield return p;
        }

        foreach (var p in OrderValidation.CheckOrderId(e.OrderId))
        {
            yield return p with { Field = $"{at}.orderId" };
        }

        foreach (var p in OrderValidation.CheckId($"{at}.shipmentId", e.ShipmentId, required: false))
        {
            yield return p;
        }

        if (!Enum.IsDefined(e.Type))
        {
            yield return new($"{at}.type", "The type must be Picked, ShortPicked, ReadyForPickup or Dispatched.");
        }

        if (e.Type == OmsEventType.ShortPicked)
        {
            foreach (var p in OrderValidation.CheckLines($"{at}.missingLines", e.MissingLines))
            {
                yield return p;
            }
        }
        else if (e.MissingLines is { Count: > 0 })
        {
            yield return new($"{at}.missingLines", "Only a ShortPicked event names missing lines.");
        }
    }
}
