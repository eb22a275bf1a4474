using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StockSync.Persistence;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Pos;

/// <summary>
/// The tills' HTTP API. <c>POST /pos/journals</c> takes a journal batch and answers <c>202</c> as soon as the batch is
/// stored (in the transactional outbox, as a <see cref="PosJournalUploaded"/> message): mapping and publishing happen
/// on the <c>pos-journals</c> queue, so a store replaying hours of journal is never held up. A batch that is not
/// well-formed is refused whole with a <c>400</c> naming every bad field. <c>GET /pos/stores/{storeNumber}/sequence</c>
/// says how far StockSync has a store's journal: the highest sequence number received and the numbers still missing.
/// </summary>
public static class PosApi
{
    // Problem types shared with the rest of the HTTP API (see the host's Problems).
    private const string MalformedJson = "urn:stocksync:problem:malformed-json";
    private const string InvalidInput = "urn:stocksync:problem:invalid-input";
    private const string NotFound = "urn:stocksync:problem:not-found";
    private const string UnsupportedMediaType = "urn:stocksync:problem:unsupported-media-type";

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Maps <c>/pos/journals</c> and <c>/pos/stores/{storeNumber}/sequence</c>.</summary>
    public static IEndpointRouteBuilder MapPosAdapter(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/pos").WithTags("POS");
        group.MapPost("/journals", UploadAsync)
            .WithName("UploadPosJournal")
            .WithSummary("Takes a store's journal batch (sales, returns, pickup handovers, each with the store's sequence number); 202 once stored, processed asynchronously.")
            .Accepts<PosJournalBatch>("application/json")
            .Produces<PosJournalAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/stores/{storeNumber}/sequence", SequenceAsync)
            .WithName("GetPosStoreSequence")
            .WithSummary("The highest journal sequence number received from a store, and the ranges still missing below it.")
            .Produces<PosStoreSequence>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, IPublishEndpoint publisher, StockSyncDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(detail: "Send the journal batch as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", type: UnsupportedMediaType);
        }

        PosJournalBatch? batch;
        try
        {
            batch = await JsonSerializer.DeserializeAsync<PosJournalBatch>(request.Body, Strict, ct);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "The body is not a valid journal batch", type: MalformedJson);
        }

        if (batch is null)
        {
            return TypedResults.Problem(detail: "The body is null.", statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid", type: InvalidInput);
        }

        var problems = PosJournalValidator.Validate(batch);
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(
                problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                title: "The journal batch is not valid; none of it was accepted.",
                type: InvalidInput);
        }

        var message = new PosJournalUploaded
        {
            BatchId = NewId.NextGuid(),
            ReceivedAt = time.GetUtcNow(),
            StoreNumber = batch.StoreNumber,
            Entries = batch.Entries,
        };
        await publisher.Publish(message, ct);

        // The scoped publish endpoint is the bus outbox: this save is what makes the batch durable.
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted(
            $"/pos/stores/{Uri.EscapeDataString(batch.StoreNumber)}/sequence",
            new PosJournalAccepted(message.BatchId, batch.StoreNumber, batch.Entries.Count, batch.Entries.Min(e => e.Sequence), batch.Entries.Max(e => e.Sequence)));
    }

    private static async Task<IResult> SequenceAsync(string storeNumber, ExternalIds ids, SourceSequences sequences, CancellationToken ct)
    {
        if (await ids.FindLocationAsync(PosJournalMapping.System, storeNumber, ct) is not { } location)
        {
            return TypedResults.Problem(
                detail: $"Store number '{storeNumber}' has no mapping to a location (PUT /mappings/{PosJournalMapping.System}/locations/{storeNumber}).",
                statusCode: StatusCodes.Status404NotFound,
                title: "Not found",
                type: NotFound);
        }

        var source = PosJournalMapping.SourceSystemFor(location);
        var view = await sequences.ReadAsync(source, ct);
        var gaps = view?.Gaps.Select(g => new PosSequenceGap(g.FirstMissing, g.LastMissing, g.LastMissing - g.FirstMissing + 1, new DateTimeOffset(g.DetectedAt, TimeSpan.Zero))).ToList() ?? [];
        return TypedResults.Ok(new PosStoreSequence(
            storeNumber,
            location,
            source,
            view?.Highest,
            gaps,
            gaps.Sum(g => g.Missing),
            view is null ? null : new DateTimeOffset(view.UpdatedAt, TimeSpan.Zero)));
    }
}

/// <summary>The answer to an accepted upload: the batch is stored and will be processed shortly.</summary>
/// <param name="BatchId">The upload's id (it names the message in the logs and, if it faults, in the error queue).</param>
/// <param name="StoreNumber">The store.</param>
/// <param name="Entries">How many entries it carried.</param>
/// <param name="FirstSequence">The lowest sequence number in it.</param>
/// <param name="LastSequence">The highest sequence number in it.</param>
public sealed record PosJournalAccepted(Guid BatchId, string StoreNumber, int Entries, long FirstSequence, long LastSequence);

/// <summary>How far StockSync has a store's journal.</summary>
/// <param name="StoreNumber">The store number.</param>
/// <param name="LocationId">The canonical location it maps to.</param>
/// <param name="SourceSystem">The source system of its movements (<c>pos:{location}</c>).</param>
/// <param name="LastSequence">The highest sequence number received (null: nothing yet).</param>
/// <param name="OpenGaps">Ranges below it never received, lowest first.</param>
/// <param name="MissingEntries">How many numbers the gaps hold.</param>
/// <param name="UpdatedAt">When the bookkeeping last changed.</param>
public sealed record PosStoreSequence(string StoreNumber, string LocationId, string SourceSystem, long? LastSequence, IReadOnlyList<PosSequenceGap> OpenGaps, long MissingEntries, DateTimeOffset? UpdatedAt);

/// <summary>A range of a store's sequence numbers not received.</summary>
/// <param name="FirstMissing">The first missing number.</param>
/// <param name="LastMissing">The last missing number.</param>
/// <param name="Missing">How many.</param>
/// <param name="DetectedAt">When the gap was first seen.</param>
public sealed record PosSequenceGap(long FirstMissing, long LastMissing, long Missing, DateTimeOffset DetectedAt);
