using System.Runtime.InteropServices;

namespace StockSync.Demo;

/// <summary>
/// The demo command: <c>dotnet run --project src/StockSync.Demo [-- options]</c> (see <see cref="DemoOptions.Usage"/>).
/// Runs the <see cref="StoreDay"/> and prints its <see cref="DemoReport"/>; exit code 0 when it is OK, 1 when not,
/// 2 for bad options.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var (options, error) = DemoOptions.Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"{error}{Environment.NewLine}Run with --help for the options.");
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(DemoOptions.Usage);
            return 0;
        }

        // Ctrl+C (SIGINT) and SIGTERM stop the day; disposing the scenario then kills the host.
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });

        DemoReport report;
        var day = new StoreDay(options, Console.Out);
        await using (day)
        {
            report = await day.RunAsync(cancel.Token);
            report.Print(Console.Out);
        }

        var reportPath = options.ReportPath ?? $"{day.TempDirectory}.report.json";
        await report.WriteJsonAsync(reportPath, CancellationToken.None);
        Console.WriteLine($"Report: {reportPath}{(options.Keep || !report.Ok ? $"; run files (SQLite, host log): {day.TempDirectory}" : "")}");
        return report.Ok ? 0 : 1;
    }
}
