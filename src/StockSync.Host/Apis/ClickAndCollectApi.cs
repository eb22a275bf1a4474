using StockSync.Contracts.Orders;
using StockSync.Sagas;

namespace StockSync.Host.Apis;

/// <summary>
/// Click-and-collect for the storefront and store staff: start a reservation, post payment and store actions
/// (picked, short-picked, ready, collected), cancel, and read the order. An action the order's state does not allow
/// answers 409 with the current state; an unknown order answers 404.
/// </summary>
internal static class ClickAndCollectApi
{
    public static IEndpointRouteBuilder MapClickAndCollectApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/click-and-collect").WithTags("Click and collect");

        group.MapPost("/", ReserveAsync)
            .WithName("ReserveForPickup")
            .WithSummary("Reserves an order's lines at a store for pickup; with no stock it is rejected with the nearest stores that have it.")
            .Accepts<ReserveBody>("application/json")
            .Produces<ClickAndCollectView>()
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{orderId}", async (string orderId, OrderQueries queries, CancellationToken ct) =>
                await queries.GetClickAndCollectAsync(orderId, ct) is { } view ? Results.Ok(view) : NotFound(orderId))
            .WithName("GetClickAndCollect")
            .WithSummary("The order's state, store, lines, deadlines and, when rejected, the alternatives.")
            .Produces<ClickAndCollectView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        MapAction<PaymentBody>(group, "payment", "ConfirmClickAndCollectPayment", "Confirms payment: the reservation becomes an allocation and the store is asked to pick.", () => new PaymentBody(),
            (view, _) => view.State == "Reserved" ? null : $"Only a reserved, unpaid order can be paid; this one is {view.State}.",
            (view, body, now) => new PaymentConfirmed { OrderId = view.OrderId, PaymentReference = body.PaymentReference, ConfirmedAt = now });

        MapAction<StoreBody>(group, "picked", "ClickAndCollectPicked", "The store finished picking the order.", () => new StoreBody(),
            (view, body) => StoreProblem(view, body.StoreId) ?? (view.State == "Picking" ? null : $"Only an order being picked can be picked; this one is {view.State}."),
            (view, _, now) => new OrderPicked { OrderId = view.OrderId, LocationId = view.StoreId, ShipmentId = view.ShipmentId, PickedAt = now });

        MapAction<ShortPickBody>(group, "short-picked", "ClickAndCollectShortPicked", "The store could not find every unit: the order moves to another store that has them, or is cancelled with the reason.", null,
            (view, body) => StoreProblem(view, body.StoreId) ?? (view.State == "Picking" ? null : $"Only an order being picked can be short-picked; this one is {view.State}."),
            (view, body, now) => new OrderShortPicked { OrderId = view.OrderId, LocationId = view.StoreId, ShipmentId = view.ShipmentId, MissingLines = body.MissingLines, Reason = body.Reason, ReportedAt = now },
            body => OrderValidation.CheckLines("missingLines", body.MissingLines),
            (view, body) => MissingLinesProblem(view, body));

        MapAction<StoreBody>(group, "ready", "ClickAndCollectReady", "The order is in the pickup area: the pickup window starts.", () => new StoreBody(),
            (view, body) => StoreProblem(view, body.StoreId) ?? (view.State is "Picking" or "Picked" ? null : $"Only a paid order being picked or picked can be put ready; this one is {view.State}."),
            (view, _, now) => new OrderReadyForPickup { OrderId = view.OrderId, StoreId = view.StoreId, ReadyAt = now });

        MapAction<CollectedBody>(group, "collected", "ClickAndCollectCollected", "The customer collected the order (the POS handover scan).", () => new CollectedBody(),
            (view, body) => StoreProblem(view, body.StoreId) ?? (view.State == "ReadyForPickup" ? null : $"Only an order ready for pickup can be collected; this one is {view.State}."),
            (view, body, now) => new OrderCollected { OrderId = view.OrderId, StoreId = view.StoreId, HandoverId = body.HandoverId, CollectedAt = now });

        MapAction<CancelBody>(group, "cancel", "CancelClickAndCollect", "Cancels the order: whatever is held for it is released.", null,
            (view, _) => view.State switch
            {
                "Collected" => "The order was already collected: handle it as a return.",
                "Released" or "Rejected" => $"The order has already ended ({view.State}).",
                _ => null,
            },
            (view, body, now) => new CancelOrder { OrderId = view.OrderId, Reason = body.Reason, RequestedBy = body.RequestedBy, RequestedAt = now },
            body => OrderValidation.CheckId("reason", body.Reason));
        return app;
    }

    private static async Task<IResult> ReserveAsync(HttpRequest request, int? wait, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync<ReserveBody>(request, wait, null, null, ct);
        if (problem is not null)
        {
            return problem;
        }

        var message = new ReserveForPickup
        {
            OrderId = body!.OrderId,
            StoreId = body.StoreId,
            Lines = body.Lines,
            ChannelId = body.ChannelId,
            CustomerReference = body.CustomerReference,
            RequestedAt = services.Time.GetUtcNow(),
        };
        var problems = OrderValidation.Check(message);
        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "The order is not valid.", problems);
        }

        return await OrderApiSupport.CheckNewOrderAsync(services, message.OrderId, ct)
            ?? await OrderApiSupport.PublishAndAnswerAsync<ClickAndCollectView>(
                message, $"/click-and-collect/{Uri.EscapeDataString(message.OrderId)}", null, null,
                c => services.Queries.GetClickAndCollectAsync(message.OrderId, c), v => v.Version, wait, services, ct);
    }

    private static void MapAction<TBody>(
        RouteGroupBuilder group,
        string action,
        string name,
        string summary,
        Func<TBody>? whenEmpty,
        Func<ClickAndCollectView, TBody, string?> conflict,
        Func<ClickAndCollectView, TBody, DateTimeOffset, object> message,
        Func<TBody, IEnumerable<StockSync.Inventory.ValidationProblem>>? validate = null,
        Func<ClickAndCollectView, TBody, string?>? invalidForOrder = null)
        where TBody : class =>
        group.MapPost($"/{{orderId}}/{action}", async (string orderId, int? wait, HttpRequest request, [AsParameters] OrderServices services, CancellationToken ct) =>
            {
                var (body, problem) = await OrderApiSupport.ReadRequestAsync(request, wait, whenEmpty, validate, ct);
                if (problem is not null)
                {
                    return problem;
                }

                if (await services.Queries.GetClickAndCollectAsync(orderId, ct) is not { } view)
                {
                    return NotFound(orderId);
                }

                if (invalidForOrder?.Invoke(view, body!) is { } invalid)
                {
                    return Problems.Validation(Problems.InvalidInput, "The request does not fit the order.", [new StockSync.Inventory.ValidationProblem("missingLines", invalid)]);
                }

                if (conflict(view, body!) is { } detail)
                {
                    return Problems.Transition(detail, view.OrderId, view.State);
                }

                return await OrderApiSupport.PublishAndAnswerAsync(
                    message(view, body!, services.Time.GetUtcNow()), $"/click-and-collect/{Uri.EscapeDataString(view.OrderId)}", view.Version, view,
                    c => services.Queries.GetClickAndCollectAsync(view.OrderId, c), v => v.Version, wait, services, ct);
            })
            .WithName(name)
            .WithSummary(summary)
            .Accepts<TBody>("application/json")
            .Produces<ClickAndCollectView>()
            .Produces<ClickAndCollectView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static string? StoreProblem(ClickAndCollectView view, string? storeId) =>
        storeId is null || storeId == view.StoreId ? null : $"The order is at store {view.StoreId}, not {storeId}.";

    private static string? MissingLinesProblem(ClickAndCollectView view, ShortPickBody body) =>
        OrderValidation.MissingLinesProblem(view.Lines.Select(l => (l.Sku, l.Quantity)), body.MissingLines);

    private static IResult NotFound(string orderId) => Problems.NotFoundProblem($"No click-and-collect order has the id '{orderId}'.");

    /// <summary>A click-and-collect order.</summary>
    public sealed class ReserveBody
    {
        public required string OrderId { get; init; }

        public required string StoreId { get; init; }

        public required IReadOnlyList<OrderLine> Lines { get; init; }

        public string? ChannelId { get; init; }

        public string? CustomerReference { get; init; }
    }

    /// <summary>A payment confirmation (every field optional).</summary>
    public sealed class PaymentBody
    {
        public string? PaymentReference { get; init; }
    }

    /// <summary>A store action; <c>storeId</c>, when given, must be the order's store.</summary>
    public sealed class StoreBody
    {
        public string? StoreId { get; init; }
    }

    /// <summary>The handover scan.</summary>
    public sealed class CollectedBody
    {
        public string? StoreId { get; init; }

        public string? HandoverId { get; init; }
    }

    /// <summary>A short pick: the units the store could not find.</summary>
    public sealed class ShortPickBody
    {
        public string? StoreId { get; init; }

        public required IReadOnlyList<OrderLine> MissingLines { get; init; }

        public string? Reason { get; init; }
    }

    /// <summary>A cancellation.</summary>
    public sealed class CancelBody
    {
        public required string Reason { get; init; }

        public string? RequestedBy { get; init; }
    }
}
