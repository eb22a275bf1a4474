namespace StockSync.Simulators;

/// <summary>Runs the simulators (see <see cref="SimulatorApp"/>).</summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var app = SimulatorApp.Create(args);
        await app.RunAsync().ConfigureAwait(false);
    }
}
