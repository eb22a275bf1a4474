using StockSync.Inventory;

namespace StockSync.Host.Apis;

/// <summary>
/// The stable problem <c>type</c> URIs of the HTTP API (RFC 9457). Clients branch on these, never on titles.
/// </summary>
internal static class Problems
{
    public const string MalformedJson = "urn:stocksync:problem:malformed-json";
    public const string InvalidMovement = "urn:stocksync:problem:invalid-movement";
    public const string InvalidInput = "urn:stocksync:problem:invalid-input";
    public const string NotFound = "urn:stocksync:problem:not-found";
    public const string UnsupportedMediaType = "urn:stocksync:problem:unsupported-media-type";
    public const string PayloadTooLarge = "urn:stocksync:problem:payload-too-large";
    public const string MethodNotAllowed = "urn:stocksync:problem:method-not-allowed";
    public const string ServerError = "urn:stocksync:problem:server-error";
    public const string InvalidTransition = "urn:stocksync:problem:invalid-transition";
    public const string OrderExists = "urn:stocksync:problem:order-exists";
    public const string BrokerUnavailable = "urn:stocksync:problem:broker-unavailable";
    public const string Unauthorized = "urn:stocksync:problem:unauthorized";
    public const string Forbidden = "urn:stocksync:problem:forbidden";

    /// <summary>
    /// Gives the problems that ASP.NET Core writes itself (routing, content negotiation, body limits, unhandled
    /// exceptions) a stable StockSync type too, instead of a link to the HTTP specification.
    /// </summary>
    public static void UseStableTypes(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is { } existing && existing.StartsWith("urn:stocksync:", StringComparison.Ordinal))
        {
            return;
        }

        problem.Type = problem.Status switch
        {
            StatusCodes.Status401Unauthorized => Unauthorized,
            StatusCodes.Status403Forbidden => Forbidden,
            StatusCodes.Status404NotFound => NotFound,
            StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
            StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
            >= 500 => ServerError,
            _ => InvalidInput,
        };
    }

    public static IResult Validation(string type, string title, IEnumerable<ValidationProblem> problems) =>
        TypedResults.ValidationProblem(
            problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
            title: title,
            type: type);

    /// <summary>
    /// 409: the order's current state does not allow the action (for example collecting an order that is not ready).
    /// The problem carries the state, so the caller sees where the order is.
    /// </summary>
    public static IResult Transition(string detail, string orderId, string state) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status409Conflict,
            title: "The order's state does not allow this",
            type: InvalidTransition,
            extensions: new Dictionary<string, object?> { ["orderId"] = orderId, ["currentState"] = state });

    public static IResult NotFoundProblem(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found", type: NotFound);
}
