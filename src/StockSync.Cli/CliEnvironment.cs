namespace StockSync.Cli;

/// <summary>
/// What the CLI takes from its surroundings: environment variables (<c>STOCKSYNC_URL</c>, <c>STOCKSYNC_TOKEN</c>) and,
/// for tests, the HTTP handler that carries its calls.
/// </summary>
/// <param name="Variable">Reads an environment variable (null when unset).</param>
/// <param name="Handler">The HTTP handler for the calls to the host; null for a normal one.</param>
public sealed record CliEnvironment(Func<string, string?> Variable, HttpMessageHandler? Handler = null)
{
    /// <summary>The environment variable naming the host's address.</summary>
    public const string UrlVariable = "STOCKSYNC_URL";

    /// <summary>The environment variable holding the bearer token.</summary>
    public const string TokenVariable = "STOCKSYNC_TOKEN";

    /// <summary>The host's address when neither <c>--url</c> nor <c>STOCKSYNC_URL</c> says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>This process's environment.</summary>
    public static CliEnvironment Process { get; } = new(Environment.GetEnvironmentVariable);
}
