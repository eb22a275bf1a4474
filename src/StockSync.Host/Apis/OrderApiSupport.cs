using MassTransit;
using StockSync.Inventory;
using StockSync.Persistence;
using StockSync.Sagas;

namespace StockSync.Host.Apis;

/// <summary>
/// What the order APIs share: publishing a command or store event through the bus outbox (the save makes it durable),
/// and answering either at once (202, the state before the action) or, with <c>?wait=seconds</c>, once the saga has
/// acted on it (200, the new state).
/// </summary>
internal static class OrderApiSupport
{
    /// <summary>The longest <c>wait</c> a request may ask for, in seconds.</summary>
    public const int MaxWaitSeconds = 30;

    /// <summary>
    /// Reads an order request: the <c>wait</c> query, the body (strict JSON; <paramref name="whenEmpty"/> for bodies
    /// whose every field is optional) and its own checks. Returns the body, or the 4xx problem to answer with.
    /// </summary>
    public static async Task<(TBody? Body, IResult? Problem)> ReadRequestAsync<TBody>(
        HttpRequest request, int? wait, Func<TBody>? whenEmpty, Func<TBody, IEnumerable<ValidationProblem>>? validate, CancellationToken ct)
        where TBody : class
    {
        if (wait is < 0 or > MaxWaitSeconds)
        {
            return (null, Problems.Validation(Problems.InvalidInput, "Invalid query.", [new ValidationProblem("wait", $"Wait between 0 and {MaxWaitSeconds} seconds.")]));
        }

        var (body, problem) = await JsonBody.ReadAsync(request, whenEmpty, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        var problems = validate?.Invoke(body!).ToList() ?? [];
        return problems.Count > 0
            ? (null, Problems.Validation(Problems.InvalidInput, "The request is not valid.", problems))
            : (body, null);
    }

    /// <summary>409 when an order with this id exists in either flow (an order id is used once).</summary>
    public static async Task<IResult?> CheckNewOrderAsync(OrderServices services, string orderId, CancellationToken ct) =>
        await services.Queries.FindFlowAsync(orderId, ct) is { } flow
            ? TypedResults.Problem(
                detail: $"Order '{orderId}' already exists ({flow}); an order id is used once.",
                statusCode: StatusCodes.Status409Conflict,
                title: "The order already exists",
                type: Problems.OrderExists)
            : null;

    /// <summary>
    /// Publishes an order message through the bus outbox under its order's conversation (<see cref="OrderIds.ConversationFor"/>),
    /// so one order's messages are delivered and applied in the order they were accepted; the caller saves.
    /// </summary>
    public static Task PublishAsync(IPublishEndpoint publisher, object message, CancellationToken ct, Guid? messageId = null)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(message);
        var conversation = OrderIds.ConversationFor(message);
        return publisher.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(c =>
        {
            if (conversation is { } id)
            {
                c.ConversationId = id;
            }

            if (messageId is { } explicitId)
            {
                c.MessageId = explicitId;
            }
        }), ct);
    }

    /// <summary>
    /// Publishes <paramref name="message"/> through the bus outbox and saves; then, for up to <paramref name="wait"/>
    /// seconds, reads the saga until its version differs from <paramref name="versionBefore"/> (null: until it exists).
    /// </summary>
    public static async Task<IResult> PublishAndAnswerAsync<TView>(
        object message,
        string location,
        int? versionBefore,
        TView? viewBefore,
        Func<CancellationToken, Task<TView?>> read,
        Func<TView, int> version,
        int? wait,
        OrderServices services,
        CancellationToken ct)
        where TView : class
    {
        await PublishAsync(services.Publisher, message, ct);
        await services.Db.SaveChangesAsync(ct);

        if (wait is > 0)
        {
            var until = DateTime.UtcNow.AddSeconds(wait.Value);
            while (DateTime.UtcNow < until)
            {
                if (await read(ct) is { } now && (versionBefore is null || version(now) != versionBefore))
                {
                    return TypedResults.Ok(now);
                }

                await Task.Delay(50, ct);
            }
        }

        return TypedResults.Accepted(location, viewBefore);
    }
}

/// <summary>The services every order endpoint uses (bound with <c>[AsParameters]</c>).</summary>
internal readonly record struct OrderServices(OrderQueries Queries, IPublishEndpoint Publisher, StockSyncDbContext Db, TimeProvider Time);
