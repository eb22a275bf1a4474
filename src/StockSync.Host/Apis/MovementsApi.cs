using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MassTransit;
using StockSync.Contracts;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence;

namespace StockSync.Host.Apis;

/// <summary>
/// <c>POST /movements</c>: canonical movements in. The body is one movement or an array of them, each with a
/// <c>type</c> naming the contract (for example <c>"type": "SaleRecorded"</c>). Every movement is checked before any
/// is accepted: one bad movement refuses the request with a 400 that names it, and nothing is published.
/// Accepted movements are published through the bus outbox: the 202 means they are stored in the database, and the
/// dispatcher delivers them to the broker, even if the broker was unreachable when the request came in.
/// </summary>
internal static class MovementsApi
{
    public const int MaxMovementsPerRequest = 1000;

    private static readonly JsonSerializerOptions IntakeJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static IEndpointRouteBuilder MapMovementsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/movements", PostAsync)
            .WithTags("Movements")
            .WithName("PostMovements")
            .WithSummary("Accepts canonical stock movements for the ledger.")
            .Accepts<JsonElement>("application/json")
            .Produces<MovementsAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<IResult> PostAsync(HttpRequest request, IPublishEndpoint publisher, StockSyncDbContext db, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(
                detail: "Send the movements as application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                type: Problems.UnsupportedMediaType);
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON", type: Problems.MalformedJson);
        }

        var (movements, problems) = Parse(body);
        if (problems.Count > 0)
        {
            return Problems.Validation(Problems.InvalidMovement, "The movements are not valid; none was accepted.", problems);
        }

        foreach (var movement in movements)
        {
            await publisher.Publish(movement, movement.GetType(), ct);
        }

        // The scoped publish endpoint is the bus outbox: this save is what makes the movements durable.
        await db.SaveChangesAsync(ct);

        return TypedResults.Accepted(
            (string?)null,
            new MovementsAccepted(movements.Count, [.. movements.Select(m => new AcceptedMovement(m.GetType().Name, m.SourceSystem, m.SourceMessageId))]));
    }

    private static (List<StockMovement> Movements, List<ValidationProblem> Problems) Parse(JsonNode? body)
    {
        var items = body switch
        {
            JsonArray array => [.. array],
            null => [],
            _ => new List<JsonNode?> { body },
        };
        var problems = new List<ValidationProblem>();
        var movements = new List<StockMovement>();
        if (items.Count == 0)
        {
            problems.Add(new("movements", "Send one movement or an array of movements."));
        }
        else if (items.Count > MaxMovementsPerRequest)
        {
            problems.Add(new("movements", $"At most {MaxMovementsPerRequest} movements per request."));
        }
        else
        {
            for (var i = 0; i < items.Count; i++)
            {
                var prefix = body is JsonArray ? $"[{i}]." : string.Empty;
                var movement = ParseOne(items[i], prefix, problems);
                if (movement is not null)
                {
                    movements.Add(movement);
                }
            }
        }

        return (movements, problems);
    }

    private static StockMovement? ParseOne(JsonNode? node, string prefix, List<ValidationProblem> problems)
    {
        if (node is not JsonObject source)
        {
            problems.Add(new($"{prefix}movement", "A movement must be a JSON object."));
            return null;
        }

        var item = (JsonObject)source.DeepClone();
        var typeName = item["type"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;
        item.Remove("type");
        var type = typeName is null ? null : MessageCatalog.FindMovement(typeName);
        if (type is null)
        {
            var known = string.Join(", ", MessageCatalog.Movements.Select(t => t.Name));
            problems.Add(new($"{prefix}type", typeName is null ? $"A movement type is required; one of: {known}." : $"Unknown movement type '{typeName}'; one of: {known}."));
            return null;
        }

        StockMovement? movement;
        try
        {
            movement = (StockMovement?)item.Deserialize(type, IntakeJson);
        }
        catch (JsonException ex)
        {
            problems.Add(new($"{prefix}{ex.Path?.TrimStart('$', '.') ?? "movement"}", ex.Message));
            return null;
        }

        var found = MovementValidator.Validate(movement);
        problems.AddRange(found.Select(p => p with { Field = prefix + p.Field }));
        return found.Count == 0 ? movement : null;
    }
}

/// <summary>The answer to an accepted <c>POST /movements</c>: the movements are on the bus, and the ledger applies them shortly.</summary>
public sealed record MovementsAccepted(int Accepted, IReadOnlyList<AcceptedMovement> Movements);

/// <summary>One accepted movement's identity.</summary>
public sealed record AcceptedMovement(string Type, string SourceSystem, string SourceMessageId);
