using System.Collections.Frozen;

namespace StockSync.Host.Dashboard;

/// <summary>
/// The operators' dashboard at <c>/dashboard</c>: one read-only page (HTML, CSS and plain JavaScript embedded in this
/// assembly, so <c>dotnet run</c>, the published host and test hosts serve the same files, with nothing from a CDN).
/// The page reads the ops API from the same origin every few seconds: sagas by state, stuck sagas, dead letters, the
/// latest reconciliation and the sale-to-availability latency. Its responses carry a strict Content-Security-Policy
/// (no inline script or style, same-origin fetches only) and refuse framing.
/// </summary>
internal static class DashboardPage
{
    /// <summary>The Content-Security-Policy of the dashboard's responses.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    private static readonly FrozenDictionary<string, (string ContentType, byte[] Content)> Files = new Dictionary<string, (string, byte[])>
    {
        ["index.html"] = ("text/html; charset=utf-8", Read("index.html")),
        ["dashboard.css"] = ("text/css; charset=utf-8", Read("dashboard.css")),
        ["dashboard.js"] = ("text/javascript; charset=utf-8", Read("dashboard.js")),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dashboard").WithTags("Dashboard").ExcludeFromDescription();
        group.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        group.MapGet("/{file}", (string file, HttpContext context) => Serve(context, file));
        return app;
    }

    private static IResult Serve(HttpContext context, string file)
    {
        if (!Files.TryGetValue(file, out var found))
        {
            return Apis.Problems.NotFoundProblem($"The dashboard has no file '{file}'.");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(found.Content, found.ContentType);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"StockSync.Host.Dashboard.{name}")
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in the host assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
