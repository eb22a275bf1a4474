namespace StockSync.Simulators.Pos;

/// <summary>A sale or a return rung up at the till.</summary>
public sealed record TillTransaction
{
    /// <summary>The lines, by barcode (a case barcode counts cases).</summary>
    public required IReadOnlyList<PosLine> Lines { get; init; }

    /// <summary>The receipt id (default: <c>{store}-S{sequence}</c> or <c>{store}-R{sequence}</c>).</summary>
    public string? TransactionId { get; init; }

    /// <summary>For a return: the original sale's receipt id, if known.</summary>
    public string? OriginalTransactionId { get; init; }

    /// <summary>When it happened (default: now).</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}

/// <summary>The pickup handover scan of a click-and-collect order.</summary>
public sealed record TillHandover
{
    /// <summary>The order handed to its customer.</summary>
    public required string OrderId { get; init; }

    /// <summary>The scan's transaction id (default: <c>{store}-H{sequence}</c>).</summary>
    public string? TransactionId { get; init; }

    /// <summary>When it happened (default: now).</summary>
    public DateTimeOffset? OccurredAt { get; init; }
}

/// <summary>A replay request.</summary>
public sealed record ReplayRequest
{
    /// <summary>Upload the whole journal again (withheld entries included), not just what is unsent.</summary>
    public bool All { get; init; }

    /// <summary>Entries per upload (default: <c>Pos:BatchSize</c>).</summary>
    public int? BatchSize { get; init; }
}

/// <summary>
/// The simulated tills' API, under <c>/pos/stores/{store}</c>: ring up <c>sales</c> and <c>returns</c>, scan
/// <c>handovers</c>; go <c>offline</c> and <c>online</c>; <c>replay</c> the buffered (or whole) journal; switch
/// <c>faults</c>; read the store and its <c>journal</c>.
/// </summary>
public static class PosSimulatorApi
{
    public static IEndpointRouteBuilder MapPosSimulator(this IEndpointRouteBuilder app)
    {
        app.MapGet("/pos/stores", (PosSimulator simulator) => Results.Ok(simulator.Stores()));
        var store = app.MapGroup("/pos/stores/{store}");
        store.MapGet("/", (string store, PosSimulator simulator) => Results.Ok(simulator.View(store)));
        store.MapGet("/journal", (string store, PosSimulator simulator) => Results.Ok(simulator.Journal(store)));
        store.MapPost("/sales", (string store, TillTransaction sale, PosSimulator simulator, CancellationToken ct) =>
            RecordAsync(simulator, store, sale.Lines, s => new PosEntry
            {
                Sequence = s,
                Type = "Sale",
                OccurredAt = sale.OccurredAt ?? DateTimeOffset.UtcNow,
                TransactionId = sale.TransactionId ?? $"{store}-S{s}",
                Lines = sale.Lines,
            }, ct));
        store.MapPost("/returns", (string store, TillTransaction @return, PosSimulator simulator, CancellationToken ct) =>
            RecordAsync(simulator, store, @return.Lines, s => new PosEntry
            {
                Sequence = s,
                Type = "Return",
                OccurredAt = @return.OccurredAt ?? DateTimeOffset.UtcNow,
                TransactionId = @return.TransactionId ?? $"{store}-R{s}",
                Lines = @return.Lines,
                OriginalTransactionId = @return.OriginalTransactionId,
            }, ct));
        store.MapPost("/handovers", (string store, TillHandover handover, PosSimulator simulator, CancellationToken ct) =>
            string.IsNullOrWhiteSpace(handover.OrderId)
                ? Task.FromResult(Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A handover names the order."))
                : RecordAsync(simulator, store, null, s => new PosEntry
                {
                    Sequence = s,
                    Type = "PickupHandover",
                    OccurredAt = handover.OccurredAt ?? DateTimeOffset.UtcNow,
                    TransactionId = handover.TransactionId ?? $"{store}-H{s}",
                    OrderId = handover.OrderId,
                }, ct));
        store.MapPut("/offline", (string store, PosSimulator simulator) => Results.Ok(simulator.SetOnline(store, online: false)));
        store.MapPut("/online", (string store, PosSimulator simulator) => Results.Ok(simulator.SetOnline(store, online: true)));
        store.MapPost("/replay", async (string store, HttpRequest request, PosSimulator simulator, CancellationToken ct) =>
        {
            var body = request.HasJsonContentType() ? await request.ReadFromJsonAsync<ReplayRequest>(ct) : null;
            if (body?.BatchSize is < 1)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The batch size must be 1 or more.");
            }

            return Results.Ok(await simulator.ReplayAsync(store, body?.All ?? false, body?.BatchSize, ct));
        });
        store.MapGet("/faults", (string store, PosSimulator simulator) => Results.Ok(simulator.View(store).Faults));
        store.MapPut("/faults", (string store, PosFaults faults, PosSimulator simulator) => Results.Ok(simulator.SetFaults(store, faults).Faults));
        store.MapDelete("/faults", (string store, PosSimulator simulator) =>
        {
            simulator.SetFaults(store, new PosFaults());
            return Results.NoContent();
        });
        return app;
    }

    private static async Task<IResult> RecordAsync(PosSimulator simulator, string store, IReadOnlyList<PosLine>? lines, Func<long, PosEntry> entry, CancellationToken ct)
    {
        if (lines is not null && (lines.Count == 0 || lines.Any(l => string.IsNullOrWhiteSpace(l.Barcode) || l.Quantity < 1)))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A sale or return needs lines, each with a barcode and a quantity of 1 or more.");
        }

        var report = await simulator.RecordAsync(store, entry, ct);
        return Results.Created($"/pos/stores/{Uri.EscapeDataString(store)}/journal", report);
    }
}
