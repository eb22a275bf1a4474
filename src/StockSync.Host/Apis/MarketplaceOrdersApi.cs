using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;
using StockSync.Inventory;
using StockSync.Sagas;
using StockSync.Sagas.MarketplaceIntake;

namespace StockSync.Host.Apis;

/// <summary>
/// Marketplace order intake, as a marketplace adapter uses it: submit an order (reserved, then acknowledged or rejected
/// before the marketplace's deadline), read where it stands, pass on the marketplace's cancellation, and (operators)
/// ask for another acknowledgment attempt. Submitting the same marketplace order again is idempotent: 200 with the
/// order as it is. 400 for an unknown marketplace; 404 for an unknown order; 409 when the order's state forbids it.
/// </summary>
internal static class MarketplaceOrdersApi
{
    private static readonly string[] Unacknowledged = ["AwaitingAcknowledgement", "AcknowledgementOverdue", "AcknowledgementRefused"];

    public static IEndpointRouteBuilder MapMarketplaceOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/marketplace-orders").WithTags("Marketplace orders");

        group.MapPost("/", SubmitAsync)
            .WithName("SubmitMarketplaceOrder")
            .WithSummary("Takes in a marketplace order: every line is reserved or rejected, and the acknowledgment is sent before the deadline.")
            .Accepts<MarketplaceOrderBody>("application/json")
            .Produces<MarketplaceOrderView>()
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem();

        group.MapGet("/{marketplace}/{marketplaceOrderId}", async (string marketplace, string marketplaceOrderId, OrderQueries queries, CancellationToken ct) =>
                await queries.GetMarketplaceOrderAsync(marketplace, marketplaceOrderId, ct) is { } view ? Results.Ok(view) : NotFound(marketplace, marketplaceOrderId))
            .WithName("GetMarketplaceOrder")
            .WithSummary("The order's intake: decisions per line, held units, deadline, attempts and the last error.")
            .Produces<MarketplaceOrderView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{marketplace}/{marketplaceOrderId}/cancel", CancelAsync)
            .WithName("CancelMarketplaceOrder")
            .WithSummary("The marketplace cancelled the order: held units are released (after hand-over, fulfillment releases what has not shipped).")
            .Accepts<CancelBody>("application/json")
            .Produces<MarketplaceOrderView>()
            .Produces<MarketplaceOrderView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{marketplace}/{marketplaceOrderId}/acknowledgement/retry", RetryAsync)
            .WithName("RetryMarketplaceAcknowledgement")
            .WithSummary("Makes another acknowledgment attempt now (after a missed deadline or a refusal, attempts are only made on request).")
            .Accepts<RetryBody>("application/json")
            .Produces<MarketplaceOrderView>()
            .Produces<MarketplaceOrderView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, int? wait, IOptions<MarketplaceOptions> options, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var now = services.Time.GetUtcNow();
        var (body, problem) = await OrderApiSupport.ReadRequestAsync<MarketplaceOrderBody>(request, wait, null, b => Check(b, options.Value, now), ct);
        if (problem is not null)
        {
            return problem;
        }

        var message = new MarketplaceOrderReceived
        {
            Marketplace = body!.Marketplace,
            MarketplaceOrderId = body.MarketplaceOrderId,
            Lines = body.Lines,
            OrderedAt = body.OrderedAt ?? now,
            AcknowledgeBy = body.AcknowledgeBy,
        };
        var location = $"/marketplace-orders/{Uri.EscapeDataString(message.Marketplace)}/{Uri.EscapeDataString(message.MarketplaceOrderId)}";
        if (await services.Queries.GetMarketplaceOrderAsync(message.Marketplace, message.MarketplaceOrderId, ct) is { } existing)
        {
            // A re-delivery: the saga counts it and starts nothing; the adapter gets the order as it is.
            await OrderApiSupport.PublishAsync(services.Publisher, message, ct);
            await services.Db.SaveChangesAsync(ct);
            return TypedResults.Ok(existing);
        }

        return await OrderApiSupport.PublishAndAnswerAsync<MarketplaceOrderView>(
            message, location, null, null, c => services.Queries.GetMarketplaceOrderAsync(message.Marketplace, message.MarketplaceOrderId, c), v => v.Version, wait, services, ct);
    }

    private static async Task<IResult> CancelAsync(string marketplace, string marketplaceOrderId, int? wait, HttpRequest request, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync(request, wait, () => new CancelBody(), b => OrderValidation.CheckId("reason", b.Reason, required: false), ct);
        if (problem is not null)
        {
            return problem;
        }

        if (await services.Queries.GetMarketplaceOrderAsync(marketplace, marketplaceOrderId, ct) is not { } view)
        {
            return NotFound(marketplace, marketplaceOrderId);
        }

        if (view.State is not ("HandedOver" or "AwaitingAcknowledgement" or "AcknowledgementOverdue" or "AcknowledgementRefused"))
        {
            return Problems.Transition($"The order is {view.State}: nothing is held for it.", view.OrderId, view.State);
        }

        return await OrderApiSupport.PublishAndAnswerAsync(
            new MarketplaceOrderCancelled { Marketplace = view.Marketplace, MarketplaceOrderId = view.MarketplaceOrderId, Reason = body!.Reason, CancelledAt = services.Time.GetUtcNow() },
            Location(view), view.Version, view, c => services.Queries.GetMarketplaceOrderAsync(view.Marketplace, view.MarketplaceOrderId, c), v => v.Version, wait, services, ct);
    }

    private static async Task<IResult> RetryAsync(string marketplace, string marketplaceOrderId, int? wait, HttpRequest request, [AsParameters] OrderServices services, CancellationToken ct)
    {
        var (body, problem) = await OrderApiSupport.ReadRequestAsync(request, wait, () => new RetryBody(), b => OrderValidation.CheckId("requestedBy", b.RequestedBy, required: false), ct);
        if (problem is not null)
        {
            return problem;
        }

        if (await services.Queries.GetMarketplaceOrderAsync(marketplace, marketplaceOrderId, ct) is not { } view)
        {
            return NotFound(marketplace, marketplaceOrderId);
        }

        if (!Unacknowledged.Contains(view.State))
        {
            return Problems.Transition($"Only an order not acknowledged yet can be acknowledged again; this one is {view.State}.", view.OrderId, view.State);
        }

        return await OrderApiSupport.PublishAndAnswerAsync(
            new RetryMarketplaceAcknowledgement { Marketplace = view.Marketplace, MarketplaceOrderId = view.MarketplaceOrderId, RequestedBy = body!.RequestedBy, RequestedAt = services.Time.GetUtcNow() },
            Location(view), view.Version, view, c => services.Queries.GetMarketplaceOrderAsync(view.Marketplace, view.MarketplaceOrderId, c), v => v.Version, wait, services, ct);
    }

    private static IEnumerable<ValidationProblem> Check(MarketplaceOrderBody body, MarketplaceOptions options, DateTimeOffset now)
    {
        var message = new MarketplaceOrderReceived
        {
            Marketplace = body.Marketplace,
            MarketplaceOrderId = body.MarketplaceOrderId,
            Lines = body.Lines,
            OrderedAt = body.OrderedAt ?? now,
            AcknowledgeBy = body.AcknowledgeBy,
        };
        foreach (var problem in MarketplaceOrderSteps.Check(message))
        {
            yield return problem;
        }

        if (MarketplaceOptions.IsValidName(body.Marketplace) && !options.Policies.ContainsKey(body.Marketplace))
        {
            yield return new("marketplace", $"No policy for marketplace '{body.Marketplace}'. Configured: {string.Join(", ", options.Policies.Keys.Order(StringComparer.Ordinal))} ({MarketplaceOptions.Section}:{nameof(MarketplaceOptions.Policies)}).");
        }

        if (body.OrderedAt is { } ordered && ordered > now.AddMinutes(5))
        {
            yield return new("orderedAt", "The order cannot have been placed in the future.");
        }

        if (body.AcknowledgeBy is { } by && by <= message.OrderedAt)
        {
            yield return new("acknowledgeBy", "The acknowledgment deadline must be after the order was placed.");
        }
    }

    private static string Location(MarketplaceOrderView view) =>
        $"/marketplace-orders/{Uri.EscapeDataString(view.Marketplace)}/{Uri.EscapeDataString(view.MarketplaceOrderId)}";

    private static IResult NotFound(string marketplace, string marketplaceOrderId) =>
        Problems.NotFoundProblem($"No {marketplace} order has the id '{marketplaceOrderId}'.");

    /// <summary>A marketplace order, as the adapter received it.</summary>
    public sealed class MarketplaceOrderBody
    {
        public required string Marketplace { get; init; }

        public required string MarketplaceOrderId { get; init; }

        public required IReadOnlyList<MarketplaceOrderLine> Lines { get; init; }

        /// <summary>When the order was placed on the marketplace (default: now).</summary>
        public DateTimeOffset? OrderedAt { get; init; }

        /// <summary>The deadline the marketplace states, if any (default: the marketplace's policy).</summary>
        public DateTimeOffset? AcknowledgeBy { get; init; }
    }

    /// <summary>A marketplace's cancellation.</summary>
    public sealed class CancelBody
    {
        public string? Reason { get; init; }
    }

    /// <summary>An operator's request for another attempt.</summary>
    public sealed class RetryBody
    {
        public string? RequestedBy { get; init; }
    }
}
