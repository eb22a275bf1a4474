using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockSync.Host.Apis;

/// <summary>
/// Reads a JSON request body strictly: the JSON content type, well-formed JSON, no member the contract does not have,
/// every required member present, numbers as numbers. Anything else is a 4xx problem that says what is wrong.
/// </summary>
internal static class JsonBody
{
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer with.</summary>
    /// <param name="request">The request.</param>
    /// <param name="whenEmpty">For actions whose every field is optional: what an empty body reads as.</param>
    /// <param name="ct">Cancels the read.</param>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, Func<T>? whenEmpty, CancellationToken ct)
        where T : class
    {
        if (whenEmpty is not null && request.ContentLength is 0 or null && !request.HasJsonContentType())
        {
            return (whenEmpty(), null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                detail: "Send the body as application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                type: Problems.UnsupportedMediaType));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Strict, ct);
            return body is null
                ? (null, TypedResults.Problem(detail: "The body is null.", statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid", type: Problems.InvalidInput))
                : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON for this request", type: Problems.MalformedJson));
        }
    }
}
