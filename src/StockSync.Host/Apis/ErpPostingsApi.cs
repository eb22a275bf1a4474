using System.Text.Json.Nodes;
using StockSync.Adapters.Erp;
using StockSync.Inventory;
using StockSync.Persistence.Erp;

namespace StockSync.Host.Apis;

/// <summary>
/// The ERP postings queue for operators: list it by status (<c>?status=Failed</c> is the exception queue), read one
/// posting, and put a failed posting back in the queue once its cause is fixed. Posting ids carry colons and may carry
/// slashes; a slash is sent as <c>%2F</c>.
/// </summary>
internal static class ErpPostingsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapErpPostingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/erp/postings").WithTags("ERP postings");

        group.MapGet("/", ListAsync)
            .WithName("ListErpPostings")
            .WithSummary("ERP postings in queue order: status Pending (queued or backing off), Posted, or Failed (the exception queue). Page with ?after={sequence}.")
            .Produces<ErpPostingView[]>()
            .ProducesValidationProblem();

        group.MapGet("/{postingId}", async (string postingId, ErpPostingStore queue, CancellationToken ct) =>
                await queue.FindAsync(Unescape(postingId), ct) is { } posting ? Results.Ok(ErpPostingView.From(posting)) : NotFound(Unescape(postingId)))
            .WithName("GetErpPosting")
            .WithSummary("One ERP posting: its status, attempts, last error and the document sent to the ERP.")
            .Produces<ErpPostingView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{postingId}/requeue", RequeueAsync)
            .WithName("RequeueErpPosting")
            .WithSummary("Puts a posting from the exception queue back in the queue with fresh attempts; it goes out next.")
            .Produces<ErpPostingView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> ListAsync(string? status, long? after, int? limit, ErpPostingStore queue, CancellationToken ct)
    {
        var problems = new List<ValidationProblem>();
        var known = status is null ? null : ErpPostingStatus.All.FirstOrDefault(s => string.Equals(s, status, StringComparison.OrdinalIgnoreCase));
        if (status is not null && known is null)
        {
            problems.Add(new("status", $"Unknown status '{status}'; use one of {string.Join(", ", ErpPostingStatus.All)}."));
        }

        if (limit is < 1 or > MaxLimit)
        {
            problems.Add(new("limit", $"The limit must be between 1 and {MaxLimit}."));
        }

        if (after is < 0)
        {
            problems.Add(new("after", "The sequence to page after cannot be negative."));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "Invalid ERP postings query.", problems);
        }

        var postings = await queue.ListAsync(known, after ?? 0, limit ?? DefaultLimit, ct);
        return Results.Ok(postings.Select(ErpPostingView.From));
    }

    private static async Task<IResult> RequeueAsync(string postingId, ErpPostingStore queue, CancellationToken ct)
    {
        var id = Unescape(postingId);
        var (outcome, posting) = await queue.RequeueAsync(id, ct);
        return outcome switch
        {
            RequeueOutcome.Requeued => Results.Ok(ErpPostingView.From(posting!)),
            RequeueOutcome.NotFound => NotFound(id),
            _ => TypedResults.Problem(
                detail: $"ERP posting '{id}' is {posting!.Status}: only a posting in the exception queue (Failed) can be requeued.",
                statusCode: StatusCodes.Status409Conflict,
                title: "The posting's status does not allow this",
                type: Problems.InvalidTransition,
                extensions: new Dictionary<string, object?> { ["postingId"] = id, ["currentStatus"] = posting.Status }),
        };
    }

    private static IResult NotFound(string postingId) => Problems.NotFoundProblem($"No ERP posting has the id '{postingId}'.");

    /// <summary>Routing leaves an escaped slash in a segment as <c>%2F</c>; a posting id may contain one.</summary>
    private static string Unescape(string segment) => segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>An ERP posting as the API shows it.</summary>
    public sealed record ErpPostingView(
        long Sequence,
        string PostingId,
        string Kind,
        string Status,
        int Attempts,
        DateTime CreatedAt,
        DateTime? NextAttemptAt,
        DateTime? LastAttemptAt,
        string? LastError,
        DateTime? PostedAt,
        DateTime? FailedAt,
        DateTime? RequeuedAt,
        JsonNode? Document)
    {
        public static ErpPostingView From(ErpPostingRecord p) =>
            new(p.Sequence, p.PostingId, p.Kind, p.Status, p.Attempts, p.CreatedAt, p.NextAttemptAt, p.LastAttemptAt, p.LastError, p.PostedAt, p.FailedAt, p.RequeuedAt, JsonNode.Parse(p.Payload));
    }
}
