using StockSync.Inventory;
using StockSync.Sagas;

namespace StockSync.Host.Apis;

/// <summary>
/// Saga state for operators, over HTTP: the same answers as the SQL views <c>ops_sagas_by_state</c>,
/// <c>ops_saga_instances</c>, <c>ops_sagas_stuck</c>, <c>ops_deadlines</c> and <c>ops_deadlines_due</c>, plus the
/// whole story of one order (its sagas, the ledger movements they applied, the messages they published, its dead
/// letters). The <c>stocksync</c> CLI and the dashboard read these.
/// </summary>
internal static class OpsApi
{
    public const int DefaultLimit = 100;

    /// <summary>The latency chart's default window, in minutes.</summary>
    public const int DefaultLatencyMinutes = 60;

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/ops").WithTags("Operations");

        group.MapGet("/sagas/by-state", async (OperatorQueries queries, CancellationToken ct) => Results.Ok(await queries.SagasByStateAsync(ct)))
            .WithName("GetSagasByState")
            .WithSummary("Instance counts per saga (its table name) and state, with the oldest and newest change (ops_sagas_by_state).")
            .Produces<SagaStateCount[]>();

        group.MapGet("/sagas", async (string? saga, string? state, int? limit, OperatorQueries queries, CancellationToken ct) =>
                Checked(queries, saga, limit, out var problem) is { } take
                    ? Results.Ok(await queries.SagasAsync(saga, Blank(state), take, ct))
                    : problem!)
            .WithName("ListSagas")
            .WithSummary("Saga instances, the latest change first; filter by ?saga= (table name) and ?state=, at most ?limit= (100).")
            .Produces<SagaInstanceRow[]>()
            .ProducesValidationProblem();

        group.MapGet("/sagas/stuck", async (string? saga, int? limit, OperatorQueries queries, CancellationToken ct) =>
                Checked(queries, saga, limit, out var problem) is { } take
                    ? Results.Ok(await queries.StuckAsync(saga, take, ct))
                    : problem!)
            .WithName("ListStuckSagas")
            .WithSummary("Instances unchanged for longer than their threshold in ops_stuck_thresholds, the longest first (ops_sagas_stuck).")
            .Produces<StuckSagaRow[]>()
            .ProducesValidationProblem();

        group.MapGet("/deadlines", async (bool? due, string? saga, int? limit, OperatorQueries queries, CancellationToken ct) =>
                Checked(queries, saga, limit, out var problem) is { } take
                    ? Results.Ok(await queries.DeadlinesAsync(due ?? false, saga, take, ct))
                    : problem!)
            .WithName("ListDeadlines")
            .WithSummary("Pending saga deadlines, the earliest first; ?due=true lists only those that have passed, with when the sweeper fired them.")
            .Produces<DeadlineRow[]>()
            .ProducesValidationProblem();

        group.MapGet("/sagas/lookup", LookupAsync)
            .WithName("LookupSaga")
            .WithSummary("Everything about one order, return or marketplace order (?orderId=) or one saga (?correlationId=): instances with their rows, the ledger movements they applied, the messages they published, dead letters.")
            .Produces<SagaLookup>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/latency", LatencyAsync)
            .WithName("GetSaleLatency")
            .WithSummary("Sale-to-availability latency per minute over the last ?minutes= (60, at most 1440): count, p50, p99 and max in ms of AppliedAt - OccurredAt of the ledger's SaleRecorded rows (AppliedAt: the commit in which AvailabilityChanged enters the outbox); the newest 20,000 sales at most.")
            .Produces<SaleLatency>()
            .ProducesValidationProblem();
        return app;
    }

    /// <summary>
    /// Sale-to-availability latency per minute, from the ledger: <c>AppliedAt − OccurredAt</c> of every
    /// <c>SaleRecorded</c> row applied in the window. <c>AppliedAt</c> is the commit in which the sale's
    /// <c>AvailabilityChanged</c> enters the outbox; the channels receive it once the outbox delivers it. At most the
    /// newest <see cref="SaleLatencyQuery.MaxRows"/> sales are read (<c>truncated</c> says so); minutes without a sale
    /// have no point.
    /// </summary>
    private static async Task<IResult> LatencyAsync(int? minutes, SaleLatencyQuery latency, CancellationToken ct) =>
        minutes is < 1 or > SaleLatencyQuery.MaxMinutes
            ? Problems.Validation(Problems.InvalidInput, "Invalid latency query.", [new("minutes", $"The window must be between 1 and {SaleLatencyQuery.MaxMinutes} minutes.")])
            : Results.Ok(await latency.PerMinuteAsync(minutes ?? DefaultLatencyMinutes, ct));

    private static async Task<IResult> LookupAsync(string? orderId, string? correlationId, OperatorQueries queries, CancellationToken ct)
    {
        orderId = Blank(orderId);
        correlationId = Blank(correlationId);
        var problems = new List<ValidationProblem>();
        Guid id = default;
        if ((orderId is null) == (correlationId is null))
        {
            problems.Add(new("orderId", "Give either ?orderId= or ?correlationId=."));
        }
        else if (orderId is { Length: > OrderIds.MaxLength })
        {
            problems.Add(new("orderId", $"An order id has at most {OrderIds.MaxLength} characters."));
        }
        else if (correlationId is not null && !Guid.TryParse(correlationId, out id))
        {
            problems.Add(new("correlationId", "The correlation id is not a UUID."));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidInput, "Invalid saga lookup.", problems);
        }

        var found = orderId is not null
            ? await queries.LookupByOrderAsync(orderId, ct)
            : await queries.LookupByCorrelationIdAsync(id, ct);
        return found is not null
            ? Results.Ok(found)
            : Problems.NotFoundProblem(orderId is not null
                ? $"Nothing is known about order '{orderId}': no saga, ledger movement, message or dead letter."
                : $"No saga has the correlation id {id}.");
    }

    /// <summary>The limit to use, or null with the 400 problem in <paramref name="problem"/>.</summary>
    private static int? Checked(OperatorQueries queries, string? saga, int? limit, out IResult? problem)
    {
        var problems = new List<ValidationProblem>();
        if (saga is not null && !queries.SagaNames.Contains(saga, StringComparer.Ordinal))
        {
            problems.Add(new("saga", $"Unknown saga '{saga}'; the sagas are {string.Join(", ", queries.SagaNames)}."));
        }

        if (limit is < 1 or > OperatorQueries.MaxLimit)
        {
            problems.Add(new("limit", $"The limit must be between 1 and {OperatorQueries.MaxLimit}."));
        }

        problem = problems.Count > 0 ? Problems.Validation(Problems.InvalidInput, "Invalid operations query.", problems) : null;
        return problem is null ? limit ?? DefaultLimit : null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
