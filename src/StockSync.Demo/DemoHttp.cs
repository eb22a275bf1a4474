using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Demo;

/// <summary>JSON over HTTP for the scenario: a call that does not answer as expected is a <see cref="DemoException"/> naming it.</summary>
internal static class DemoHttp
{
    /// <summary>The wire format of the host and the simulators (camelCase).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>GET, expecting a 2xx answer with a JSON body.</summary>
    public static Task<JsonNode?> GetJsonAsync(this HttpClient client, string url, CancellationToken ct) =>
        client.SendJsonAsync(HttpMethod.Get, url, null, ct);

    /// <summary>Sends <paramref name="body"/> as JSON (none when null) and returns the JSON answer (null when empty); a non-2xx answer throws.</summary>
    public static async Task<JsonNode?> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body, CancellationToken ct)
    {
        var (status, answer) = await client.TrySendJsonAsync(method, url, body, ct);
        return status is >= 200 and < 300
            ? answer
            : throw new DemoException($"{method} {url} answered {status}: {Shorten(answer?.ToJsonString())}");
    }

    /// <summary>Sends <paramref name="body"/> as JSON and returns the status and the JSON answer, whatever the status.</summary>
    public static async Task<(int Status, JsonNode? Body)> TrySendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.RelativeOrAbsolute));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using var response = await client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? node;
        try
        {
            node = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            node = JsonValue.Create(text);
        }

        return ((int)response.StatusCode, node);
    }

    /// <summary>A string property of a JSON object, or null.</summary>
    public static string? Text(this JsonNode? node, string property) =>
        node?[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A number property of a JSON object, or null.</summary>
    public static long? Number(this JsonNode? node, string property) =>
        node?[property] is JsonValue value
            ? value.TryGetValue<long>(out var number) ? number : value.TryGetValue<double>(out var real) ? (long)real : null
            : null;

    /// <summary>A date property of a JSON object, or null.</summary>
    public static DateTimeOffset? Time(this JsonNode? node, string property) =>
        node?[property] is JsonValue value && value.TryGetValue<DateTimeOffset>(out var time) ? time : null;

    /// <summary>The items of a JSON array (empty for anything else).</summary>
    public static IReadOnlyList<JsonNode> Items(this JsonNode? node) =>
        node is JsonArray array ? [.. array.OfType<JsonNode>()] : [];

    /// <summary>Polls <paramref name="condition"/> until it holds, or throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(string what, Func<Task<bool>> condition, TimeSpan timeout, CancellationToken ct, int intervalMs = 200)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new DemoException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(intervalMs, ct);
        }
    }

    private static string Shorten(string? text) => text is null ? "(no body)" : text.Length <= 600 ? text : string.Concat(text.AsSpan(0, 600), "…");
}
