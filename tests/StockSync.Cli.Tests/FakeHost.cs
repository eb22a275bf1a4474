using System.Net;
using System.Text;

namespace StockSync.Cli.Tests;

/// <summary>A request the CLI sent: method, path and query, JSON body, Authorization header.</summary>
public sealed record SentRequest(string Method, string PathAndQuery, string? Body, string? Authorization, Uri Uri);

/// <summary>
/// Stands in for the host: records every request the CLI sends and answers each with what <see cref="Answer"/> says
/// (by default 200 with an empty JSON array).
/// </summary>
public sealed class FakeHost : HttpMessageHandler
{
    public List<SentRequest> Requests { get; } = [];

    public Func<HttpRequestMessage, HttpResponseMessage> Answer { get; set; } = _ => Json(HttpStatusCode.OK, "[]");

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    /// <summary>Runs one command line against this fake host; returns the exit code and what was printed.</summary>
    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        await RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs one command line with these environment variables.</summary>
    public async Task<(int Exit, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(name => variables.TryGetValue(name, out var value) ? value : null, this);
        var exit = await CliApplication.RunAsync(args, output, error, environment);
        return (exit, output.ToString(), error.ToString());
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new SentRequest(request.Method.Method, request.RequestUri!.PathAndQuery, body, request.Headers.Authorization?.ToString(), request.RequestUri));
        return Answer(request);
    }
}
