using StockSync.Adapters.Erp.Inbound;
using StockSync.Persistence.Reconciliation;

namespace StockSync.Host.Apis;

/// <summary>
/// The ERP adapter's inbound side for operators: poll the ERP or read the drop folder now (instead of at the next
/// interval), fetch a stock snapshot, and hold a snapshot against the ledger.
/// </summary>
internal static class ErpInboundApi
{
    public const int DefaultLargest = 20;

    public static IEndpointRouteBuilder MapErpInboundApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/erp").WithTags("ERP inbound");

        group.MapPost("/inbound/poll", async (ErpFeedPoller poller, Microsoft.Extensions.Options.IOptionsMonitor<ErpInboundOptions> options, CancellationToken ct) =>
                options.CurrentValue.Url.Length == 0
                    ? NotConfigured("Erp:Inbound:Url", "polling")
                    : await CallErpAsync(async () => Results.Ok(await poller.PollOnceAsync(ct))))
            .WithName("PollErp")
            .WithSummary("Reads the ERP's item and site master and its new documents now. 503 when the ERP cannot be read (the cursors stay).")
            .Produces<ErpPollResult>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/inbound/drop-folder/read", async (ErpDropFolder folder, Microsoft.Extensions.Options.IOptionsMonitor<ErpInboundOptions> options, CancellationToken ct) =>
                options.CurrentValue.DropFolder.Length == 0
                    ? NotConfigured("Erp:Inbound:DropFolder", "a drop folder")
                    : Results.Ok(await folder.ReadOnceAsync(ct)))
            .WithName("ReadErpDropFolder")
            .WithSummary("Reads the ERP's export files in the drop folder now; lists each file with what it held or why it was refused.")
            .Produces<ErpDropFileResult[]>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/snapshots/fetch", async (ErpFeedPoller poller, Microsoft.Extensions.Options.IOptionsMonitor<ErpInboundOptions> options, CancellationToken ct) =>
                options.CurrentValue.Url.Length == 0
                    ? NotConfigured("Erp:Inbound:Url", "polling")
                    : await CallErpAsync(async () =>
                    {
                        var (id, takenAt, lines, parts) = await poller.FetchSnapshotAsync(ct);
                        return Results.Accepted($"/erp/reconciliation?snapshotId={Uri.EscapeDataString(id)}", new { snapshotId = id, takenAt, lines, parts });
                    }))
            .WithName("FetchErpSnapshot")
            .WithSummary("Reads the ERP's stock snapshot now and hands it on in parts; compare it at the Location given once its parts are stored.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/reconciliation", ReconcileAsync)
            .WithName("ReconcileErpSnapshot")
            .WithSummary("Holds an ERP snapshot (?snapshotId=, or the newest complete one) against the ledger's on-hand as of the snapshot's instant: the pairs compared, and the mismatches, largest first (?largest=N, default 20).")
            .Produces<ReconciliationView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        group.MapGet("/reconciliation.csv", async (string? snapshotId, StockSnapshots snapshots, CancellationToken ct) =>
                await FindAsync(snapshotId, snapshots, ct) is not { } comparison
                    ? SnapshotNotFound(snapshotId)
                    : Results.Text(ToCsv(comparison), "text/csv; charset=utf-8"))
            .WithName("ExportErpReconciliation")
            .WithSummary("Every mismatch of a reconciliation as CSV (sku,location_id,snapshot_on_hand,stocksync_on_hand,delta), largest first.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/reconciliation/corrections", CorrectAsync)
            .WithName("CorrectErpReconciliation")
            .WithSummary("Corrects every mismatch of a snapshot (?snapshotId=, or the newest complete one) with an audited StockCounted at the snapshot's instant, in source 'reconciliation': the ledger's as-of rules keep the movements after the snapshot. Each correction applies once.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> CorrectAsync(
        string? snapshotId, StockSnapshots snapshots, MassTransit.IPublishEndpoint publisher, StockSync.Persistence.StockSyncDbContext db, CancellationToken ct)
    {
        if (await FindAsync(snapshotId, snapshots, ct) is not { } comparison)
        {
            return SnapshotNotFound(snapshotId);
        }

        if (!comparison.Complete)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The snapshot is incomplete",
                detail: $"Snapshot {comparison.SnapshotId} has parts still missing; correcting from part of it would count the rest as zero.",
                type: "urn:stocksync:problem:snapshot-incomplete");
        }

        // Published through the transactional outbox: every correction or none.
        foreach (var mismatch in comparison.Mismatches)
        {
            await publisher.Publish(mismatch.Correction(comparison.SnapshotId, comparison.TakenAt), ct);
        }

        await db.SaveChangesAsync(ct);
        return Results.Accepted(
            $"/erp/reconciliation?snapshotId={Uri.EscapeDataString(comparison.SnapshotId)}",
            new { snapshotId = comparison.SnapshotId, takenAt = comparison.TakenAt, corrections = comparison.Mismatches.Count });
    }

    private static async Task<SnapshotComparison?> FindAsync(string? snapshotId, StockSnapshots snapshots, CancellationToken ct)
    {
        var id = snapshotId ?? (await snapshots.LatestAsync(ErpMasterData.System, ct))?.SnapshotId;
        return id is null ? null : await snapshots.CompareAsync(id, ct);
    }

    private static string ToCsv(SnapshotComparison comparison)
    {
        var csv = new System.Text.StringBuilder("sku,location_id,snapshot_on_hand,stocksync_on_hand,delta,pending_postings\r\n");
        foreach (var m in comparison.Mismatches)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{CsvField(m.Sku)},{CsvField(m.LocationId)},{m.SnapshotOnHand},{m.StockSyncOnHand},{m.Delta},{m.PendingPostings}\r\n");
        }

        return csv.ToString();
    }

    private static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static async Task<IResult> ReconcileAsync(string? snapshotId, int? largest, StockSnapshots snapshots, CancellationToken ct)
    {
        if (largest is < 0 or > 10_000)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["largest"] = ["largest must be between 0 and 10000."] });
        }

        if (await FindAsync(snapshotId, snapshots, ct) is not { } comparison)
        {
            return SnapshotNotFound(snapshotId);
        }

        return Results.Ok(new ReconciliationView(
            comparison.SnapshotId,
            comparison.Source,
            comparison.TakenAt,
            comparison.Complete,
            comparison.KeysCompared,
            comparison.Mismatches.Count,
            comparison.Mismatches.Sum(m => Math.Abs(m.Delta)),
            comparison.Mismatches.Count(m => m.PendingPostings > 0),
            [.. comparison.Mismatches.Take(largest ?? DefaultLargest).Select(m => new MismatchView(m.Sku, m.LocationId, m.SnapshotOnHand, m.StockSyncOnHand, m.Delta, m.PendingPostings))]));
    }

    private static async Task<IResult> CallErpAsync(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or ErpMasterDataException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The ERP could not be read", detail: ex.Message, type: "urn:stocksync:problem:erp-unavailable");
        }
    }

    private static IResult SnapshotNotFound(string? snapshotId) =>
        Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "No such snapshot",
            detail: snapshotId is null ? "No complete ERP snapshot has been stored yet (POST /erp/snapshots/fetch, or drop a snapshot file)." : $"There is no snapshot '{snapshotId}'.",
            type: "urn:stocksync:problem:snapshot-not-found");

    private static IResult NotConfigured(string setting, string what) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not configured", detail: $"The ERP adapter has no {what}: set {setting}.", type: "urn:stocksync:problem:not-configured");

    /// <summary>
    /// A reconciliation of a snapshot: the mismatches, the units they are off in all, and how many of them have ERP
    /// postings still pending at the snapshot's instant (which may explain them).
    /// </summary>
    internal sealed record ReconciliationView(
        string SnapshotId, string Source, DateTimeOffset TakenAt, bool Complete, int KeysCompared, int Mismatches, int UnitsOff, int MismatchesWithPendingPostings, IReadOnlyList<MismatchView> Largest);

    /// <summary>
    /// One mismatch: the snapshot's on-hand, StockSync's as of the snapshot, StockSync minus the snapshot, and the ERP
    /// postings of the key that had occurred by the snapshot but were not booked by the ERP yet.
    /// </summary>
    internal sealed record MismatchView(string Sku, string LocationId, int SnapshotOnHand, int StockSyncOnHand, int Delta, int PendingPostings);
}
