using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Simulators.Erp;

/// <summary>
/// The simulated ERP API under <c>/erp</c>:
/// <list type="bullet">
/// <item><c>POST /erp/postings</c> takes a batch, <c>{"postings": [{"postingId", "sequence", "kind", …}]}</c>, and
/// answers <c>200 {"results": [{"postingId", "status", "error"}]}</c>: 201 booked, 200 already booked (a repeated
/// posting id is booked once), 400 refused; or the configured fault for the whole call (503, 429 with Retry-After,
/// 400, and a delay).</item>
/// <item><c>GET /erp/postings</c>: the book, in arrival order, with each posting's delivery count;
/// <c>GET /erp/postings/calls</c>: every call and its answer; <c>DELETE /erp/postings</c>: forget both.</item>
/// <item><c>GET/PUT/DELETE /erp/faults</c>: the switchable faults (<see cref="ErpFaults"/>).</item>
/// <item><c>PUT /erp/items</c> <c>{"items": [{"itemNumber", "sku", "description", "orderUnit", "unitsPerOrderUnit",
/// "barcodes"}]}</c> adds or replaces items; <c>GET /erp/items?after={version}</c> answers
/// <c>{"items": [… each with its "version"], "version"}</c>: the items changed after the version, by version, and the
/// ERP's highest version. <c>PUT /erp/sites</c> and <c>GET /erp/sites?after={version}</c> likewise, with
/// <c>{"siteCode", "locationId", "name", "kind"}</c> (one version counter for items and sites).</item>
/// <item><c>POST /erp/documents</c> <c>{"documentType", "documentNumber", "occurredAt", "siteCode", "otherSiteCode",
/// "lines": [{"lineNumber", "itemNumber", "quantity", "unit"}]}</c> (a purchase receipt, transfer shipment or transfer
/// receipt) answers 201 with the document and its <c>cursor</c>; unknown items and sites are accepted, a malformed
/// document is 400 naming the field. <c>GET /erp/documents?after={cursor}&amp;limit={n}</c> (limit 100 by default, at
/// most 500) answers <c>{"documents": […], "last"}</c>, by cursor (as the duplicate and shuffle faults allow).</item>
/// <item><c>GET /erp/snapshot</c>: the stock book per site and item in eaches, <c>{"snapshotId", "takenAt",
/// "lines": [{"siteCode", "itemNumber", "onHand"}]}</c>; <c>GET /erp/book</c>: the same lines, for tests and the
/// demo.</item>
/// <item><c>POST /erp/exports</c> <c>{"folder", "kinds": ["items", "sites", "documents", "snapshot"],
/// "documentsAfter"}</c> writes the CSV files of <see cref="ErpCsvExport"/> and answers <c>{"files": […]}</c>.</item>
/// <item><c>DELETE /erp/data</c>: forget the items, sites, documents and the stock book (not the postings).</item>
/// </list>
/// The faults apply to <c>POST /erp/postings</c> and the reads StockSync makes (<c>GET</c> of items, sites, documents
/// and snapshot); the other calls are controls and never fault.
/// </summary>
public static class ErpSimulatorApi
{
    public static IEndpointRouteBuilder MapErpSimulator(this IEndpointRouteBuilder app)
    {
        var erp = app.MapGroup("/erp");
        erp.MapGet("/faults", (ErpSimulator simulator) => Results.Ok(simulator.Faults));
        erp.MapPut("/faults", (ErpFaults faults, ErpSimulator simulator) =>
        {
            simulator.SetFaults(faults);
            return Results.Ok(faults);
        });
        erp.MapDelete("/faults", (ErpSimulator simulator) =>
        {
            simulator.SetFaults(new ErpFaults());
            return Results.NoContent();
        });

        erp.MapPost("/postings", PostAsync);
        erp.MapGet("/postings", (ErpSimulator simulator) => Results.Ok(simulator.Booked));
        erp.MapGet("/postings/calls", (ErpSimulator simulator) => Results.Ok(simulator.Calls));
        erp.MapDelete("/postings", (ErpSimulator simulator) =>
        {
            simulator.Clear();
            return Results.NoContent();
        });

        erp.MapPut("/items", async (HttpRequest request, ErpSimulator simulator, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<ErpItemsInput>(request, ct);
            var (items, error) = problem is null ? simulator.PutItems(body) : default;
            return problem ?? (error is not null ? Invalid("Invalid item.", error) : Results.Ok(new { items }));
        });
        erp.MapGet("/items", (long? after, HttpContext context, ErpSimulator simulator, CancellationToken ct) =>
            ReadAsync(context, simulator, after, () => simulator.ItemsAfter(after ?? 0), ct));
        erp.MapPut("/sites", async (HttpRequest request, ErpSimulator simulator, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<ErpSitesInput>(request, ct);
            var (sites, error) = problem is null ? simulator.PutSites(body) : default;
            return problem ?? (error is not null ? Invalid("Invalid site.", error) : Results.Ok(new { sites }));
        });
        erp.MapGet("/sites", (long? after, HttpContext context, ErpSimulator simulator, CancellationToken ct) =>
            ReadAsync(context, simulator, after, () => simulator.SitesAfter(after ?? 0), ct));

        erp.MapPost("/documents", async (HttpRequest request, ErpSimulator simulator, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<ErpDocumentInput>(request, ct);
            if (problem is not null)
            {
                return problem;
            }

            var (document, error) = simulator.AddDocument(body);
            return error is not null ? Invalid("Malformed document.", error) : Results.Created($"/erp/documents?after={document!.Cursor - 1}&limit=1", document);
        });
        erp.MapGet("/documents", (long? after, int? limit, HttpContext context, ErpSimulator simulator, CancellationToken ct) =>
            limit is < 1
                ? Task.FromResult(Invalid("Invalid page.", new ErpInputError("limit", "limit must be 1 or more (at most 500 are returned).")))
                : ReadAsync(context, simulator, after, () => simulator.ReadDocuments(after ?? 0, Math.Min(limit ?? DefaultLimit, MaxLimit)), ct));

        erp.MapGet("/snapshot", (HttpContext context, ErpSimulator simulator, CancellationToken ct) =>
            ReadAsync(context, simulator, null, () => simulator.TakeSnapshot(DateTimeOffset.UtcNow), ct));
        erp.MapGet("/book", (ErpSimulator simulator) => Results.Ok(new ErpBook(simulator.StockBook())));

        erp.MapPost("/exports", async (HttpRequest request, ErpSimulator simulator, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<ErpExportRequest>(request, ct);
            if (problem is not null)
            {
                return problem;
            }

            if (ErpCsvExport.Validate(body) is { } error)
            {
                return Invalid("Invalid export request.", error);
            }

            try
            {
                return Results.Ok(await ErpCsvExport.WriteAsync(simulator, body!, DateTimeOffset.UtcNow, ct));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Invalid("The export could not be written.", new ErpInputError("folder", ex.Message));
            }
        });
        erp.MapDelete("/data", (ErpSimulator simulator) =>
        {
            simulator.ClearData();
            return Results.NoContent();
        });
        return app;
    }

    private const int DefaultLimit = 100;
    private const int MaxLimit = 500;

    /// <summary>A read StockSync makes: answered through the faults, then with <paramref name="answer"/>.</summary>
    private static async Task<IResult> ReadAsync<T>(HttpContext context, ErpSimulator simulator, long? after, Func<T> answer, CancellationToken ct)
    {
        if (after is < 0)
        {
            return Invalid("Invalid query.", new ErpInputError("after", "after must be 0 or more."));
        }

        var (status, retryAfter, delay) = simulator.NextAnswer();
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }

        if (status == StatusCodes.Status200OK)
        {
            return Results.Ok(answer());
        }

        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return Results.Problem(statusCode: status, title: status switch
        {
            StatusCodes.Status503ServiceUnavailable => "The ERP is unavailable (simulated outage).",
            StatusCodes.Status429TooManyRequests => "Too many requests (simulated throttling).",
            _ => "The request was refused (simulated).",
        });
    }

    /// <summary>Reads a JSON body; a body that is not JSON, or does not fit, is a 400 naming where it broke.</summary>
    private static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Invalid("Expected a JSON body.", new ErpInputError("body", "The body must be JSON (Content-Type: application/json).")));
        }

        try
        {
            var body = await request.ReadFromJsonAsync<T>(ct);
            return body is null ? (null, Invalid("Expected a JSON body.", new ErpInputError("body", "The body is null."))) : (body, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Invalid("Malformed JSON body.", new ErpInputError(field, ex.Message)));
        }
    }

    private static IResult Invalid(string title, ErpInputError error) =>
        Results.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: title,
            detail: error.Message,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["field"] = error.Field });

    private static async Task<IResult> PostAsync(HttpRequest request, ErpSimulator simulator, CancellationToken ct)
    {
        List<JsonObject> postings;
        try
        {
            postings = (await JsonNode.ParseAsync(request.Body, cancellationToken: ct))?["postings"] is JsonArray array
                && array.All(p => p is JsonObject o && o["postingId"] is JsonValue v && v.TryGetValue<string>(out _))
                    ? [.. array.Cast<JsonObject>()]
                    : throw new JsonException("Expected {\"postings\": [{\"postingId\": \"…\", …}]}.");
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed posting batch.", detail: ex.Message);
        }

        var (status, retryAfter, delay) = simulator.NextAnswer();
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }

        if (status != StatusCodes.Status200OK)
        {
            simulator.RecordFault(status, [.. postings.Select(p => p["postingId"]!.GetValue<string>())], DateTimeOffset.UtcNow);
            if (retryAfter is { } seconds)
            {
                request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return Results.Problem(statusCode: status, title: status switch
            {
                StatusCodes.Status503ServiceUnavailable => "The ERP is unavailable (simulated outage).",
                StatusCodes.Status429TooManyRequests => "Too many requests (simulated throttling).",
                _ => "The posting batch was refused (simulated).",
            });
        }

        return Results.Ok(new { results = simulator.Book(postings, DateTimeOffset.UtcNow) });
    }
}
