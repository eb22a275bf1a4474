using StockSync.Contracts.Orders;
using StockSync.Inventory;
using StockSync.Sagas;
using StockSync.Sagas.ReturnInspection;

namespace StockSync.Host.Apis;

/// <summary>
/// Customer returns for stores and DCs: receive a return (its units go to Quarantine, not to sellable stock), post an
/// inspection with a disposition per line (partial inspections allowed), and read the return. 404 for an unknown
/// return; 409 with the current state when it is already inspected or was rejected; 400 for an inspection of more
/// than waits.
/// </summary>
internal static class ReturnsApi
{
    public static IEndpointRouteBuilder MapReturnsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/returns").WithTags("Returns");

        group.MapPost("/", ReceiveAsync)
            .WithName("ReceiveReturn")
            .WithSummary("Receives returned units into quarantine and starts the inspection SLA.")
            .Accepts<ReturnBody>("application/json")
            .Produces<ReturnInspectionView>()
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{returnId}", async (string returnId, OrderQueries queries, CancellationToken ct) =>
                await queries.GetReturnAsync(returnId, ct) is { } view ? Results.Ok(view) : NotFound(returnId))
            .WithName("GetReturn")
            .WithSummary("The return's state, lines, inspections so far, SLA deadline and escalation.")
            .Produces<ReturnInspectionView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{returnId}/inspection", InspectAsync)
            .WithName("InspectReturn")
            .WithSummary("Records an inspection: each line's units leave quarantine by their disposition (Restock, Damaged, ReturnToVendor, Dispose).")
            .Accepts<InspectionBody>("application/json")
            .Produces<ReturnInspectionView>()
            .Produces<ReturnInspectionView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, int? wait, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync<ReturnBody>(request, wait, null, b =>
            [
                .. OrderValidation.CheckOrderId(b.ReturnId).Select(p => new ValidationProblem("returnId", p.Message)),
                .. OrderValidation.CheckId("locationId", b.LocationId),
                .. OrderValidation.CheckId("orderId", b.OrderId, required: false),
                .. OrderValidation.CheckId("originalTransactionId", b.OriginalTransactionId, required: false),
                .. OrderValidation.CheckLines("lines", b.Lines),
            ], ct);
        if (problem is not null)
        {
            return problem;
        }

        if (await services.Queries.GetReturnAsync(body!.ReturnId, ct) is { } existing)
        {
            return TypedResults.Problem(
                detail: $"Return '{existing.ReturnId}' already exists ({existing.State}); a return id is used once.",
                statusCode: StatusCodes.Status409Conflict,
                title: "The return already exists",
                type: Problems.OrderExists);
        }

        var message = new ReceiveReturn
        {
            ReturnId = body.ReturnId,
            LocationId = body.LocationId,
            Lines = body.Lines,
            OrderId = body.OrderId,
            OriginalTransactionId = body.OriginalTransactionId,
            Reason = body.Reason,
            ReceivedAt = services.Time.GetUtcNow(),
        };
        return await OrderApiSupport.PublishAndAnswerAsync<ReturnInspectionView>(
            message, $"/returns/{Uri.EscapeDataString(message.ReturnId)}", null, null,
            c => services.Queries.GetReturnAsync(message.ReturnId, c), v => v.Version, wait, services, ct);
    }

    private static async Task<IResult> InspectAsync(string returnId, int? wait, HttpRequest request, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync<InspectionBody>(request, wait, null, b => CheckInspection(b), ct);
        if (problem is not null)
        {
            return problem;
        }

        if (await services.Queries.GetReturnAsync(returnId, ct) is not { } view)
        {
            return NotFound(returnId);
        }

        if (view.State is not ("AwaitingInspection" or "InspectionOverdue"))
        {
            return Problems.Transition($"Only a return waiting for inspection can be inspected; this one is {view.State}.", view.ReturnId, view.State);
        }

        if (ReturnInspectionSteps.InspectionProblem(view.ReturnId, view.Lines, view.Inspected, body!.Lines) is { } misfit)
        {
            return Problems.Validation(Problems.InvalidInput, "The inspection does not fit the return.", [new ValidationProblem("lines", misfit)]);
        }

        return await OrderApiSupport.PublishAndAnswerAsync(
            new ReturnInspected { ReturnId = view.ReturnId, Lines = body.Lines, InspectedBy = body.InspectedBy, InspectedAt = services.Time.GetUtcNow() },
            $"/returns/{Uri.EscapeDataString(view.ReturnId)}", view.Version, view,
            c => services.Queries.GetReturnAsync(view.ReturnId, c), v => v.Version, wait, services, ct);
    }

    private static IEnumerable<ValidationProblem> CheckInspection(InspectionBody body)
    {
        if (body.Lines is not { Count: > 0 })
        {
            yield return new("lines", "At least one inspected line is required.");
            yield break;
        }

        for (var i = 0; i < body.Lines.Count; i++)
        {
            if (MovementValidator.CheckId($"lines[{i}].sku", body.Lines[i]?.Sku) is { } sku)
            {
                yield return sku;
            }

            if (body.Lines[i]?.Quantity is not (>= 1 and <= OrderValidation.MaxQuantity))
            {
                yield return new($"lines[{i}].quantity", $"The quantity must be between 1 and {OrderValidation.MaxQuantity}.");
            }

            if (body.Lines[i] is { } line && !Enum.IsDefined(line.Disposition))
            {
                yield return new($"lines[{i}].disposition", "The disposition must be Restock, Damaged, ReturnToVendor or Dispose.");
            }
        }
    }

    private static IResult NotFound(string returnId) => Problems.NotFoundProblem($"No return has the id '{returnId}'.");

    /// <summary>A received return.</summary>
    public sealed class ReturnBody
    {
        public required string ReturnId { get; init; }

        public required string LocationId { get; init; }

        public required IReadOnlyList<OrderLine> Lines { get; init; }

        public string? OrderId { get; init; }

        public string? OriginalTransactionId { get; init; }

        public string? Reason { get; init; }
    }

    /// <summary>An inspection of some or all of a return's units.</summary>
    public sealed class InspectionBody
    {
        public required IReadOnlyList<InspectedLine> Lines { get; init; }

        public string? InspectedBy { get; init; }
    }
}
