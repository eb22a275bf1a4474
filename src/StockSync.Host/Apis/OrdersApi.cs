using StockSync.Contracts.Orders;
using StockSync.Inventory;
using StockSync.Sagas;

namespace StockSync.Host.Apis;

/// <summary>
/// Shipped orders (split fulfillment): place an order, post a location's actions on a shipment (picked, short-picked,
/// dispatched), cancel, and read the order with its lines and shipments. 404 for an unknown order or shipment; 409
/// with the current state for an action the state does not allow.
/// </summary>
internal static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/orders").WithTags("Orders");

        group.MapPost("/", PlaceAsync)
            .WithName("FulfillOrder")
            .WithSummary("Places a shipped order: its lines are sourced across locations, allocated, and each location asked to ship its part.")
            .Accepts<OrderBody>("application/json")
            .Produces<OrderFulfillmentView>()
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{orderId}", async (string orderId, OrderQueries queries, CancellationToken ct) =>
                await queries.GetOrderAsync(orderId, ct) is { } view ? Results.Ok(view) : NotFound(orderId))
            .WithName("GetOrder")
            .WithSummary("The order's state, lines (allocated, shipped, cancelled, backordered) and shipments.")
            .Produces<OrderFulfillmentView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        MapShipmentAction<EmptyBody>(group, "picked", "ShipmentPicked", "The location finished picking the shipment.", () => new EmptyBody(),
            (view, shipment, _, now) => new OrderPicked { OrderId = view.OrderId, LocationId = shipment.LocationId, ShipmentId = shipment.ShipmentId, PickedAt = now });
        MapShipmentAction<ShortPickBody>(group, "short-picked", "ShipmentShortPicked", "The location could not find every unit: the missing units are re-sourced or backordered.", null,
            (view, shipment, body, now) => new OrderShortPicked { OrderId = view.OrderId, LocationId = shipment.LocationId, ShipmentId = shipment.ShipmentId, MissingLines = body.MissingLines, Reason = body.Reason, ReportedAt = now },
            body => OrderValidation.CheckLines("missingLines", body.MissingLines),
            (shipment, body) => OrderValidation.MissingLinesProblem(shipment.Lines.Select(l => (l.Sku, l.Quantity)), body.MissingLines, $"shipment {shipment.ShipmentId}"));
        MapShipmentAction<DispatchBody>(group, "dispatched", "ShipmentDispatched", "The shipment left the location: allocation and on-hand decrease, and the ERP posting is requested.", () => new DispatchBody(),
            (view, shipment, body, now) => new ShipmentDispatched { OrderId = view.OrderId, LocationId = shipment.LocationId, ShipmentId = shipment.ShipmentId, TrackingNumber = body.TrackingNumber, DispatchedAt = now });

        group.MapPost("/{orderId}/cancel", CancelAsync)
            .WithName("CancelOrder")
            .WithSummary("Cancels the order: units not shipped are released; shipped units are refused (handle them as a return).")
            .Accepts<CancelBody>("application/json")
            .Produces<OrderFulfillmentView>()
            .Produces<OrderFulfillmentView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> PlaceAsync(HttpRequest request, int? wait, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync<OrderBody>(request, wait, null, null, ct);
        if (problem is not null)
        {
            return problem;
        }

        var message = new FulfillOrder { OrderId = body!.OrderId, Lines = body.Lines, ChannelId = body.ChannelId, PlacedAt = services.Time.GetUtcNow() };
        var problems = OrderValidation.Check(message);
        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "The order is not valid.", problems);
        }

        return await OrderApiSupport.CheckNewOrderAsync(services, message.OrderId, ct)
            ?? await OrderApiSupport.PublishAndAnswerAsync<OrderFulfillmentView>(
                message, $"/orders/{Uri.EscapeDataString(message.OrderId)}", null, null,
                c => services.Queries.GetOrderAsync(message.OrderId, c), v => v.Version, wait, services, ct);
    }

    private static async Task<IResult> CancelAsync(string orderId, int? wait, HttpRequest request, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync<CancelBody>(request, wait, null, b => OrderValidation.CheckId("reason", b.Reason), ct);
        if (problem is not null)
        {
            return problem;
        }

        if (await services.Queries.GetOrderAsync(orderId, ct) is not { } view)
        {
            return NotFound(orderId);
        }

        if (view.State is not ("Fulfilling" or "Backordered"))
        {
            var detail = view.Lines.Any(l => l.Shipped > 0)
                ? $"The order has ended ({view.State}) and its shipped units cannot be cancelled: handle them as a return."
                : $"The order has already ended ({view.State}).";
            return Problems.Transition(detail, view.OrderId, view.State);
        }

        return await OrderApiSupport.PublishAndAnswerAsync(
            new CancelOrder { OrderId = view.OrderId, Reason = body!.Reason, RequestedBy = body.RequestedBy, RequestedAt = services.Time.GetUtcNow() },
            $"/orders/{Uri.EscapeDataString(view.OrderId)}", view.Version, view,
            c => services.Queries.GetOrderAsync(view.OrderId, c), v => v.Version, wait, services, ct);
    }

    private static void MapShipmentAction<TBody>(
        RouteGroupBuilder group,
        string action,
        string name,
        string summary,
        Func<TBody>? whenEmpty,
        Func<OrderFulfillmentView, ShipmentView, TBody, DateTimeOffset, object> message,
        Func<TBody, IEnumerable<ValidationProblem>>? validate = null,
        Func<ShipmentView, TBody, string?>? invalidForShipment = null)
        where TBody : class =>
        group.MapPost($"/{{orderId}}/shipments/{{shipmentId}}/{action}", async (string orderId, string shipmentId, int? wait, HttpRequest request, [AsParameters] OrderServices services, CancellationToken ct) =>
            {
                var (body, problem) = await OrderApiSupport.ReadRequestAsync(request, wait, whenEmpty, validate, ct);
                if (problem is not null)
                {
                    return problem;
                }

                if (await services.Queries.GetOrderAsync(orderId, ct) is not { } view)
                {
                    return NotFound(orderId);
                }

                if (view.Shipments.FirstOrDefault(s => s.ShipmentId == shipmentId) is not { } shipment)
                {
                    return Problems.NotFoundProblem($"Order '{orderId}' has no shipment '{shipmentId}'.");
                }

                if (invalidForShipment?.Invoke(shipment, body!) is { } invalid)
                {
                    return Problems.Validation(Problems.InvalidInput, "The request does not fit the shipment.", [new ValidationProblem("missingLines", invalid)]);
                }

                if (shipment.Status is not ("Requested" or "Picked"))
                {
                    var detail = view.State == "Cancelled" || shipment.Status == "Cancelled"
                        ? $"Shipment {shipmentId} was cancelled and its units released: stop the parcel, or receive it back as a return."
                        : $"Shipment {shipmentId} is already {shipment.Status}.";
                    return Problems.Transition(detail, view.OrderId, view.State);
                }

                return await OrderApiSupport.PublishAndAnswerAsync(
                    message(view, shipment, body!, services.Time.GetUtcNow()), $"/orders/{Uri.EscapeDataString(view.OrderId)}", view.Version, view,
                    c => services.Queries.GetOrderAsync(view.OrderId, c), v => v.Version, wait, services, ct);
            })
            .WithName(name)
            .WithSummary(summary)
            .Accepts<TBody>("application/json")
            .Produces<OrderFulfillmentView>()
            .Produces<OrderFulfillmentView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static IResult NotFound(string orderId) => Problems.NotFoundProblem($"No shipped order has the id '{orderId}'.");

    /// <summary>A shipped order.</summary>
    public sealed class OrderBody
    {
        public required string OrderId { get; init; }

        public required IReadOnlyList<OrderLine> Lines { get; init; }

        public string? ChannelId { get; init; }
    }

    /// <summary>An action without fields.</summary>
    public sealed class EmptyBody;

    /// <summary>A dispatch confirmation.</summary>
    public sealed class DispatchBody
    {
        public string? TrackingNumber { get; init; }
    }

    /// <summary>A short pick: the units the location could not find.</summary>
    public sealed class ShortPickBody
    {
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
