using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Erp;

namespace StockSync.Adapters.Erp;

/// <summary>What the ERP made of one request.</summary>
public abstract record ErpBatchOutcome
{
    private ErpBatchOutcome()
    {
    }

    /// <summary>The ERP answered for each posting: accepted (or already posted), or refused with the reason.</summary>
    public sealed record Answered(IReadOnlyList<ErpPostingResult> Results) : ErpBatchOutcome;

    /// <summary>
    /// The ERP could not take the request: unreachable, timed out, throttling (429), failing (5xx), or refusing the
    /// caller (401, 403, 404: configuration). Nothing is held against the postings; the whole batch is sent again later.
    /// </summary>
    public sealed record Unavailable(string Error, TimeSpan? RetryAfter) : ErpBatchOutcome;

    /// <summary>The ERP refused the request as a whole (400, 422): every posting in it counts one refused attempt.</summary>
    public sealed record Refused(string Error) : ErpBatchOutcome;
}

/// <summary>The ERP's answer for one posting.</summary>
public sealed record ErpPostingResult(string PostingId, bool Accepted, string? Error);

/// <summary>Sends a batch of postings to the ERP. One call per batch; the dispatcher decides what happens next.</summary>
public interface IErpClient
{
    Task<ErpBatchOutcome> PostAsync(IReadOnlyList<ErpPostingRecord> postings, CancellationToken ct);
}

/// <summary>
/// The HTTP client of the ERP's posting API (which the ERP simulator speaks):
/// <c>POST {Url}</c> with <c>{"postings": [document + "sequence", …]}</c>, answered with
/// <c>{"results": [{"postingId", "status", "error"}]}</c>, where a 2xx status is posted (201 new, 200 already posted)
/// and any other refuses that posting.
/// </summary>
public sealed class HttpErpClient(IHttpClientFactory clients, IOptionsMonitor<ErpPostingOptions> options, TimeProvider time) : IErpClient
{
    /// <summary>The name of the HttpClient (configure handlers, TLS or proxies on it).</summary>
    public const string HttpClientName = "erp";

    /// <inheritdoc />
    public async Task<ErpBatchOutcome> PostAsync(IReadOnlyList<ErpPostingRecord> postings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(postings);
        var settings = options.CurrentValue;
        var url = new Uri(settings.Url);
        var batch = new JsonArray();
        foreach (var posting in postings)
        {
            var document = JsonNode.Parse(posting.Payload)!.AsObject();
            document["sequence"] = posting.Sequence;
            batch.Add(document);
        }

        using var content = new StringContent(new JsonObject { ["postings"] = batch }.ToJsonString(), Encoding.UTF8, "application/json");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.RequestTimeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).PostAsync(url, content, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (ErpBatchOutcome?)Read(text, url) ?? new ErpBatchOutcome.Unavailable($"HTTP {status} from {url.Host} without a readable result per posting: {Shorten(text)}", null);
            }

            var error = $"HTTP {status} from {url.Host}: {Shorten(text)}";
            return response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity
                ? new ErpBatchOutcome.Refused(error)
                : new ErpBatchOutcome.Unavailable(error, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ErpBatchOutcome.Unavailable($"No answer from {url.Host} within {settings.RequestTimeout.TotalSeconds:0.#} s.", null);
        }
        catch (HttpRequestException ex)
        {
            return new ErpBatchOutcome.Unavailable($"{url.Host} could not be reached: {ex.Message}", null);
        }
    }

    private static ErpBatchOutcome.Answered? Read(string text, Uri url)
    {
        try
        {
            if (JsonNode.Parse(text)?["results"] is not JsonArray results)
            {
                return null;
            }

            var answers = new List<ErpPostingResult>();
            foreach (var result in results)
            {
                if (result?["postingId"]?.GetValue<string>() is not { } id || result["status"]?.GetValue<int>() is not { } status)
                {
                    return null;
                }

                var accepted = status is >= 200 and < 300;
                answers.Add(new ErpPostingResult(id, accepted, accepted ? null : $"HTTP {status} from {url.Host} for this posting: {result["error"]?.GetValue<string>() ?? "no reason given"}"));
            }

            return new ErpBatchOutcome.Answered(answers);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private static string Shorten(string text) => text.Length > 300 ? string.Concat(text.AsSpan(0, 299), "…") : text;
}
