using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Cli;

/// <summary>
/// The CLI's only way to the host: HTTP calls to its ops API. Answers come back as the host's text (printed as is with
/// <c>--json</c>) and parsed JSON (for the tables). An error answer becomes a <see cref="HostProblemException"/>, a host
/// that cannot be reached a <see cref="HostUnreachableException"/>.
/// </summary>
public sealed class OpsClient : IDisposable
{
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    /// <summary>A client of the host at <paramref name="baseAddress"/>, sending <paramref name="token"/> as a bearer token when given.</summary>
    /// <param name="baseAddress">The host's address, for example <c>http://localhost:5080</c> (a path prefix is kept).</param>
    /// <param name="token">A bearer token with the <c>ops</c> scope, or null.</param>
    /// <param name="handler">The HTTP handler (tests pass one); null for the default.</param>
    /// <param name="timeout">How long one call may take.</param>
    public OpsClient(Uri baseAddress, string? token, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = BaseAddress;
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(100);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("stocksync-cli", "1.0"));
        if (!string.IsNullOrWhiteSpace(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }
    }

    /// <summary>The host's address, ending in a slash.</summary>
    public Uri BaseAddress { get; }

    /// <summary>GET <paramref name="path"/> (relative to the host's address, without a leading slash).</summary>
    public Task<HostResponse> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, body: null, ct);

    /// <summary>POST <paramref name="path"/> with <paramref name="body"/> as JSON (no body when null).</summary>
    public Task<HostResponse> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    /// <summary>A path with a query string of the values that are not null, escaped.</summary>
    public static string WithQuery(string path, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = string.Join('&', parameters
            .Where(p => p.Value is not null && (p.Value is not string text || text.Length > 0))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}"));
        return query.Length == 0 ? path : $"{path}?{query}";
    }

    /// <summary>A path segment, escaped (SKUs and location ids may hold any character).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    public void Dispose() => _http.Dispose();

    private async Task<HostResponse> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, BodyOptions), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            throw new HostUnreachableException(BaseAddress, ex.Message, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new HostUnreachableException(BaseAddress, $"no answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HostProblemException(method.Method, path, response.StatusCode, response.ReasonPhrase, ParseOrNull(text));
            }

            return new HostResponse((int)response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
        }
    }

    private static JsonObject? ParseOrNull(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A successful answer of the host: its status, its text as sent, and its media type.</summary>
public sealed record HostResponse(int Status, string Text, string? MediaType)
{
    /// <summary>The answer parsed as JSON.</summary>
    public JsonNode Json => JsonNode.Parse(Text) ?? throw new JsonException("The host answered JSON null.");
}

/// <summary>The host answered with an error status; <see cref="Problem"/> holds its problem details (RFC 9457) when it sent them.</summary>
public sealed class HostProblemException(string method, string path, HttpStatusCode status, string? reason, JsonObject? problem)
    : Exception($"{method} /{path}: {(int)status} {reason}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The status's reason phrase.</summary>
    public string? Reason { get; } = reason;

    /// <summary>The problem details, or null when the answer had none.</summary>
    public JsonObject? Problem { get; } = problem;
}

/// <summary>The host could not be reached (refused, unknown name, no answer in time).</summary>
public sealed class HostUnreachableException(Uri address, string reason, Exception inner)
    : Exception($"Cannot reach the StockSync host at {address}: {reason}", inner)
{
    /// <summary>The address tried.</summary>
    public Uri Address { get; } = address;

    /// <summary>What went wrong, as the HTTP stack said it.</summary>
    public string Reason { get; } = reason;
}
