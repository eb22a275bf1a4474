using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using StockSync.Cli.Commands;

namespace StockSync.Cli;

/// <summary>
/// The <c>stocksync</c> command line: parses the arguments, runs the command against the host's ops API, and returns
/// the exit code (<see cref="ExitCodes"/>). Everything it prints goes to the writers given, so tests run it in-process.
/// </summary>
public static class CliApplication
{
    /// <summary>Runs one command line; returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment? environment = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = BuildRootCommand(environment ?? CliEnvironment.Process);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction or null)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }

            await error.WriteLineAsync($"See '{CommandPath(parse.CommandResult)} --help'.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(configuration, ct);
    }

    /// <summary>The command tree: <c>saga</c>, <c>sagas</c>, <c>deadlines</c>, <c>dead-letters</c>, <c>reconciliation</c>, <c>inventory</c>.</summary>
    public static RootCommand BuildRootCommand(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var globals = new GlobalOptions(environment);
        var root = new RootCommand(
            "stocksync: the StockSync operator tool. It asks a running host's ops API (it never opens the database): " +
            "saga state and one order's whole story, stuck sagas and deadlines, dead letters, ERP reconciliation, inventory positions and the ledger.");
        globals.AddTo(root);
        root.Subcommands.Add(SagaCommands.Saga(globals));
        root.Subcommands.Add(SagaCommands.Sagas(globals));
        root.Subcommands.Add(SagaCommands.Deadlines(globals));
        root.Subcommands.Add(DeadLetterCommands.Build(globals));
        root.Subcommands.Add(ReconciliationCommands.Build(globals));
        root.Subcommands.Add(InventoryCommands.Build(globals));
        return root;
    }

    private static string CommandPath(CommandResult? command)
    {
        var names = new List<string>();
        for (var current = command; current is not null; current = current.Parent as CommandResult)
        {
            names.Insert(0, current.Parent is null ? "stocksync" : current.Command.Name);
        }

        return names.Count == 0 ? "stocksync" : string.Join(' ', names);
    }
}
