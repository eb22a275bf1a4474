using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace StockSync.Cli.Commands;

/// <summary>
/// The options every command takes (<c>--url</c>, <c>--token</c>, <c>--json</c>) and the way a command runs: it calls
/// the host, prints the answer as a table or as the host's JSON, and turns failures into exit codes.
/// </summary>
public sealed class GlobalOptions
{
    private readonly CliEnvironment _environment;

    internal GlobalOptions(CliEnvironment environment)
    {
        _environment = environment;
        Url = new Option<string>("--url")
        {
            Description = $"The StockSync host's address (or set {CliEnvironment.UrlVariable}).",
            HelpName = "URL",
            Recursive = true,
            DefaultValueFactory = _ => environment.Variable(CliEnvironment.UrlVariable) is { Length: > 0 } url ? url : CliEnvironment.DefaultUrl,
        };
        Url.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"'{text}' is not an http:// or https:// address.");
            }
        });
        Token = new Option<string>("--token")
        {
            Description = $"A bearer token with the ops scope, sent as 'Authorization: Bearer' (or set {CliEnvironment.TokenVariable}; not needed when the host runs Security:Mode=Development).",
            HelpName = "TOKEN",
            Recursive = true,
        };
        Json = new Option<bool>("--json")
        {
            Description = "Print the host's JSON answer as is (for scripts) instead of tables.",
            Recursive = true,
        };
    }

    /// <summary><c>--url</c>: the host's address.</summary>
    public Option<string> Url { get; }

    /// <summary><c>--token</c>: the bearer token.</summary>
    public Option<string> Token { get; }

    /// <summary><c>--json</c>: print the host's JSON.</summary>
    public Option<bool> Json { get; }

    internal void AddTo(Command root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(Json);
    }

    /// <summary>Gives <paramref name="command"/> its action: <paramref name="run"/> with a <see cref="CliCall"/>, failures as exit codes.</summary>
    internal Command Runs(Command command, Func<CliCall, CancellationToken, Task> run)
    {
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var token = parse.GetValue(Token) is { Length: > 0 } given ? given : _environment.Variable(CliEnvironment.TokenVariable);
            using var client = new OpsClient(new Uri(parse.GetValue(Url)!), token, _environment.Handler);
            try
            {
                await run(new CliCall(parse, client, output, parse.GetValue(Json)), ct);
                return ExitCodes.Success;
            }
            catch (HostProblemException problem)
            {
                await error.WriteAsync(Describe(problem));
                return ExitCodes.HostError;
            }
            catch (HostUnreachableException unreachable)
            {
                await error.WriteLineAsync($"error: cannot reach the StockSync host at {unreachable.Address}: {unreachable.Reason}");
                await error.WriteLineAsync($"Is the host running there? Point the CLI at it with --url URL or {CliEnvironment.UrlVariable}.");
                return ExitCodes.Unreachable;
            }
            catch (CliFailure failure)
            {
                await error.WriteLineAsync($"error: {failure.Message}");
                return ExitCodes.HostError;
            }
        });
        return command;
    }

    /// <summary>The host's error answer, readably: title and status, detail, each invalid field.</summary>
    public static string Describe(HostProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var status = (int)problem.Status;
        var text = new System.Text.StringBuilder();
        if (problem.Problem is { } details)
        {
            var title = Presentation.Format.Text(details, "title") ?? problem.Reason ?? "error";
            text.Append(CultureInfo.InvariantCulture, $"error: {title} (HTTP {status})\n");
            if (Presentation.Format.Text(details, "detail") is { Length: > 0 } detail)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {detail}\n");
            }

            if (details["errors"] is JsonObject errors)
            {
                foreach (var (field, messages) in errors)
                {
                    foreach (var message in messages as JsonArray ?? [])
                    {
                        text.Append(CultureInfo.InvariantCulture, $"  {field}: {message?.GetValue<string>()}\n");
                    }
                }
            }

            if (Presentation.Format.Text(details, "type") is { } type)
            {
                text.Append(CultureInfo.InvariantCulture, $"  ({type})\n");
            }
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"error: the host answered {status} {problem.Reason} ({problem.Message})\n");
        }

        if (status is 401 or 403)
        {
            text.Append(CultureInfo.InvariantCulture, $"  The ops API needs an operator: pass a token with the ops scope with --token or {CliEnvironment.TokenVariable}.\n");
        }

        return text.ToString();
    }
}

/// <summary>One running command: its parse result, the client, the output, and whether to print JSON.</summary>
internal sealed record CliCall(ParseResult Parse, OpsClient Client, TextWriter Output, bool Json)
{
    /// <summary>Prints an answer: as is with <c>--json</c>, else through <paramref name="view"/>.</summary>
    public async Task PrintAsync(HostResponse response, Func<JsonNode, string> view)
    {
        if (Json)
        {
            await Output.WriteLineAsync(response.Text.TrimEnd());
        }
        else
        {
            await Output.WriteAsync(view(response.Json));
        }
    }

    /// <summary>GETs <paramref name="path"/> and prints it.</summary>
    public async Task GetAndPrintAsync(string path, Func<JsonNode, string> view, CancellationToken ct) =>
        await PrintAsync(await Client.GetAsync(path, ct), view);
}

/// <summary>A failure the CLI itself reports (exit code 1), for example a file it cannot write.</summary>
internal sealed class CliFailure(string message) : Exception(message);
