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

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // Ctrl+C: stop the day; disposing the scenario kills the host.
            e.Cancel = true;
            cancel.Cancel();
        };

        DemoReport report;
        var day = new StoreDay(options, Console.Out);
        await using (day)
        {
            using var killOnExit = new ProcessExitGuard(day);
            report = await day.RunAsync(cancel.Token);
            report.Print(Console.Out);
        }

        var reportPath = options.ReportPath ?? $"{day.TempDirectory}.report.json";
        await report.WriteJsonAsync(reportPath, CancellationToken.None);
        Console.WriteLine($"Report: {reportPath}{(options.Keep || !report.Ok ? $"; run files (SQLite, host log): {day.TempDirectory}" : "")}");
        return report.Ok ? 0 : 1;
    }

    /// <summary>Stops the scenario (and so kills the host) when the process is told to end otherwise than by Ctrl+C.</summary>
    private sealed class ProcessExitGuard : IDisposable
    {
        private readonly StoreDay _day;

        public ProcessExitGuard(StoreDay day)
        {
            _day = day;
            AppDomain.CurrentDomain.ProcessExit += OnExit;
        }

        public void Dispose() => AppDomain.CurrentDomain.ProcessExit -= OnExit;

        private void OnExit(object? sender, EventArgs e) => _day.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
    }
}
