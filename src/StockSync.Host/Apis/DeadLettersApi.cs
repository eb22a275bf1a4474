using System.Text.Json.Nodes;
using StockSync.Host.Operations;
using StockSync.Inventory;
using StockSync.Persistence.Operations;

namespace StockSync.Host.Apis;

/// <summary>
/// The dead letters for operators: messages that reached an <c>_error</c> queue, copied to <c>dead_letters</c> by the
/// ingestor. List and filter them, group them by queue and exception, read one whole (body, headers, stack trace),
/// replay one to its queue once its cause is fixed, or discard one with a reason. Replays and discards record who did
/// them (<c>by</c>) and when.
/// </summary>
internal static class DeadLettersApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/ops/dead-letters").WithTags("Dead letters");

        group.MapGet("/", ListAsync)
            .WithName("ListDeadLetters")
            .WithSummary("Dead letters, the latest failure first, without bodies. Filter by ?status= (Open, Replayed, Discarded), ?queue=, ?exceptionType= (full or short name), ?search= (text of the exception message, or a message, order or correlation id); page with ?after={id}&limit=.")
            .Produces<DeadLetterSummary[]>()
            .ProducesValidationProblem();

        group.MapGet("/groups", GroupsAsync)
            .WithName("GroupDeadLetters")
            .WithSummary("Dead letters grouped by source queue, exception type and exception message, with counts; ?status= filters (all statuses without it).")
            .Produces<DeadLetterGroup[]>()
            .ProducesValidationProblem();

        group.MapGet("/{id:long}", async (long id, DeadLetterStore store, CancellationToken ct) =>
                await store.FindAsync(id, ct) is { } letter ? Results.Ok(DeadLetterView.From(letter)) : NotFound(id))
            .WithName("GetDeadLetter")
            .WithSummary("One dead letter with everything recorded: body, headers, exception, stack trace, replays and discard.")
            .Produces<DeadLetterView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:long}/replay", ReplayAsync)
            .WithName("ReplayDeadLetter")
            .WithSummary("Re-sends an open dead letter to its queue (body, content type and headers without the fault); body {\"by\":\"who\"}. It is Replayed until it faults again, which opens it again.")
            .Produces<DeadLetterView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{id:long}/discard", DiscardAsync)
            .WithName("DiscardDeadLetter")
            .WithSummary("Discards an open dead letter; body {\"by\":\"who\",\"reason\":\"why\"}.")
            .Produces<DeadLetterView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> ListAsync(string? status, string? queue, string? exceptionType, string? search, long? after, int? limit, DeadLetterStore store, CancellationToken ct)
    {
        var problems = new List<ValidationProblem>();
        var known = KnownStatus(status, problems);
        if (limit is < 1 or > MaxLimit)
        {
            problems.Add(new("limit", $"The limit must be between 1 and {MaxLimit}."));
        }

        if (after is { } cursor && (cursor < 1 || !await store.ExistsAsync(cursor, ct)))
        {
            problems.Add(new("after", $"No dead letter has the id {cursor} to page after."));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "Invalid dead letters query.", problems);
        }

        var query = new DeadLetterQuery(known, Blank(queue), Blank(exceptionType), Blank(search), after, limit ?? DefaultLimit);
        return Results.Ok(await store.ListAsync(query, ct));
    }

    private static async Task<IResult> GroupsAsync(string? status, DeadLetterStore store, CancellationToken ct)
    {
        var problems = new List<ValidationProblem>();
        var known = KnownStatus(status, problems);
        return problems.Count > 0
            ? Problems.Validation(Problems.InvalidInput, "Invalid dead letters query.", problems)
            : Results.Ok(await store.GroupsAsync(known, ct));
    }

    private static async Task<IResult> ReplayAsync(long id, HttpRequest request, DeadLetterStore store, DeadLetterBroker broker, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReplayRequest>(request, whenEmpty: null, ct);
        if (problem is not null)
        {
            return problem;
        }

        var problems = new List<ValidationProblem>();
        Who(body!.By, problems);
        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "Invalid replay.", problems);
        }

        try
        {
            var (outcome, letter) = await store.ReplayAsync(id, body.By!.Trim(), broker.ReplayAsync, ct);
            return Outcome(outcome, letter, id, "replayed");
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.RabbitMQClientException or RabbitMQ.Client.Exceptions.PublishException or IOException)
        {
            return TypedResults.Problem(
                detail: $"Dead letter {id} was not replayed (it stays open): the broker did not take it: {ex.Message}",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The broker is unavailable",
                type: Problems.BrokerUnavailable);
        }
    }

    private static async Task<IResult> DiscardAsync(long id, HttpRequest request, DeadLetterStore store, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<DiscardRequest>(request, whenEmpty: null, ct);
        if (problem is not null)
        {
            return problem;
        }

        var problems = new List<ValidationProblem>();
        Who(body!.By, problems);
        if (string.IsNullOrWhiteSpace(body.Reason))
        {
            problems.Add(new("reason", "Say why the dead letter is discarded."));
        }
        else if (body.Reason.Length > Persistence.Configuration.Lengths.Text)
        {
            problems.Add(new("reason", $"The reason takes at most {Persistence.Configuration.Lengths.Text} characters."));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "Invalid discard.", problems);
        }

        var (outcome, letter) = await store.DiscardAsync(id, body.By!.Trim(), body.Reason!.Trim(), ct);
        return Outcome(outcome, letter, id, "discarded");
    }

    private static IResult Outcome(DeadLetterActionOutcome outcome, DeadLetterRecord? letter, long id, string action) => outcome switch
    {
        DeadLetterActionOutcome.Done => Results.Ok(DeadLetterView.From(letter!)),
        DeadLetterActionOutcome.NotFound => NotFound(id),
        _ => TypedResults.Problem(
            detail: letter!.Status == DeadLetterStatus.Replayed
                ? $"Dead letter {id} was replayed by {letter.ReplayedBy} at {letter.ReplayedAt:O} and has not failed again: it cannot be {action}."
                : $"Dead letter {id} is {letter.Status}: only an open dead letter can be {action}.",
            statusCode: StatusCodes.Status409Conflict,
            title: "The dead letter's status does not allow this",
            type: Problems.InvalidTransition,
            extensions: new Dictionary<string, object?> { ["deadLetterId"] = id, ["currentStatus"] = letter.Status }),
    };

    private static string? KnownStatus(string? status, List<ValidationProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(status))
        {
            return null;
        }

        var known = DeadLetterStatus.All.FirstOrDefault(s => string.Equals(s, status, StringComparison.OrdinalIgnoreCase));
        if (known is null)
        {
            problems.Add(new("status", $"Unknown status '{status}'; use one of {string.Join(", ", DeadLetterStatus.All)}."));
        }

        return known;
    }

    private static void Who(string? by, List<ValidationProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(by))
        {
            problems.Add(new("by", "Say who does this (the operator's name)."));
        }
        else if (by.Trim().Length > DeadLetterStore.IdLength)
        {
            problems.Add(new("by", $"The name takes at most {DeadLetterStore.IdLength} characters."));
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static IResult NotFound(long id) => Problems.NotFoundProblem($"No dead letter has the id {id}.");

    /// <summary>The body of a replay: who replays. Optional members, so that a missing one is a problem naming it.</summary>
    public sealed class ReplayRequest
    {
        public string? By { get; init; }
    }

    /// <summary>The body of a discard: who discards, and why.</summary>
    public sealed class DiscardRequest
    {
        public string? By { get; init; }

        public string? Reason { get; init; }
    }

    /// <summary>A dead letter with everything recorded, as the API shows it.</summary>
    public sealed record DeadLetterView(
        long Id,
        string MessageId,
        string? MessageType,
        string SourceQueue,
        string Status,
        string? ExceptionType,
        string? ExceptionMessage,
        string? StackTrace,
        DateTime FirstFailedAt,
        DateTime LastFailedAt,
        int FailureCount,
        string? CorrelationId,
        string? ConversationId,
        string? OrderId,
        DateTime? ReplayedAt,
        string? ReplayedBy,
        int ReplayCount,
        DateTime? DiscardedAt,
        string? DiscardedBy,
        string? DiscardReason,
        string? ContentType,
        JsonNode? Headers,
        string Body)
    {
        public static DeadLetterView From(DeadLetterRecord d) =>
            new(d.Id, d.MessageId, d.MessageType, d.SourceQueue, d.Status, d.ExceptionType, d.ExceptionMessage, d.StackTrace, d.FirstFailedAt, d.LastFailedAt,
                d.FailureCount, d.CorrelationId, d.ConversationId, d.OrderId, d.ReplayedAt, d.ReplayedBy, d.ReplayCount, d.DiscardedAt, d.DiscardedBy,
                d.DiscardReason, d.ContentType, JsonNode.Parse(d.Headers), d.Body);
    }
}
