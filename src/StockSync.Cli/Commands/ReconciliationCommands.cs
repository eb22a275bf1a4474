using System.CommandLine;
using System.Net;
using StockSync.Cli.Presentation;

namespace StockSync.Cli.Commands;

/// <summary><c>reconciliation run|report|correct</c>: an ERP stock snapshot held against the ledger (<c>/erp/snapshots</c>, <c>/erp/reconciliation</c>).</summary>
internal static class ReconciliationCommands
{
    /// <summary>How long <c>reconciliation run --wait</c> waits for the snapshot's parts to be stored.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    public static Command Build(GlobalOptions globals) =>
        new Command("reconciliation", "ERP reconciliation: fetch the ERP's stock snapshot, compare it with the ledger as of its instant, correct the differences.")
            .With(Run(globals), Report(globals), Correct(globals));

    private static Command Run(GlobalOptions globals)
    {
        var wait = new Option<bool>("--wait") { Description = $"Wait (up to {WaitLimit.TotalSeconds:0} s) until the snapshot is stored, then print its report." };
        return globals.Runs(
            new Command("run", "Asks the host to fetch the ERP's stock snapshot now (POST /erp/snapshots/fetch) and prints what came back.").With(wait),
            async (call, ct) =>
            {
                var fetched = await call.Client.PostAsync("erp/snapshots/fetch", body: null, ct);
                if (!call.Parse.GetValue(wait))
                {
                    await call.PrintAsync(fetched, Views.SnapshotFetched);
                    return;
                }

                var snapshotId = Format.Text(fetched.Json, "snapshotId")!;
                if (!call.Json)
                {
                    await call.Output.WriteAsync(Views.SnapshotFetched(fetched.Json).Split('\n')[0] + "\n\n");
                }

                await call.PrintAsync(await WaitForReportAsync(call.Client, snapshotId, ct), Views.Reconciliation);
            });
    }

    private static Command Report(GlobalOptions globals)
    {
        var snapshotId = new Option<string>("--snapshot-id") { Description = "The snapshot (default: the newest complete one).", HelpName = "ID" };
        var largest = new Option<int?>("--largest") { Description = "Show this many of the largest mismatches (default 20).", HelpName = "N" }.Between(0, 10_000);
        var csv = new Option<FileInfo>("--csv") { Description = "Also write every mismatch to this CSV file (sku,location_id,snapshot_on_hand,stocksync_on_hand,delta).", HelpName = "FILE" };
        return globals.Runs(
            new Command("report", "A snapshot held against the ledger: the summary and the largest on-hand differences.").With(snapshotId, largest, csv),
            async (call, ct) =>
            {
                var id = call.Parse.GetValue(snapshotId);
                await call.GetAndPrintAsync(OpsClient.WithQuery("erp/reconciliation", ("snapshotId", id), ("largest", call.Parse.GetValue(largest))), Views.Reconciliation, ct);
                if (call.Parse.GetValue(csv) is { } file)
                {
                    var export = await call.Client.GetAsync(OpsClient.WithQuery("erp/reconciliation.csv", ("snapshotId", id)), ct);
                    try
                    {
                        await File.WriteAllTextAsync(file.FullName, export.Text, ct);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new CliFailure($"cannot write {file.FullName}: {ex.Message}");
                    }

                    var rows = export.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
                    await (call.Json ? call.Parse.InvocationConfiguration.Error : call.Output).WriteLineAsync($"Wrote {rows} mismatch(es) to {file.FullName}");
                }
            });
    }

    private static Command Correct(GlobalOptions globals)
    {
        var snapshotId = new Option<string>("--snapshot-id") { Description = "The snapshot whose differences to correct.", HelpName = "ID", Required = true };
        return globals.Runs(
            new Command("correct", "Corrects every difference of a snapshot with an audited count as of the snapshot's instant (movements after it are kept); each correction applies once.").With(snapshotId),
            async (call, ct) => await call.PrintAsync(
                await call.Client.PostAsync(OpsClient.WithQuery("erp/reconciliation/corrections", ("snapshotId", call.Parse.GetValue(snapshotId))), body: null, ct),
                Views.Corrections));
    }

    /// <summary>Polls the report until the host has stored every part of the snapshot (404 until then).</summary>
    private static async Task<HostResponse> WaitForReportAsync(OpsClient client, string snapshotId, CancellationToken ct)
    {
        var until = DateTime.UtcNow + WaitLimit;
        var path = OpsClient.WithQuery("erp/reconciliation", ("snapshotId", snapshotId));
        while (true)
        {
            try
            {
                var report = await client.GetAsync(path, ct);
                if (Format.Text(report.Json, "complete") == "true" || DateTime.UtcNow >= until)
                {
                    return report;
                }
            }
            catch (HostProblemException problem) when (problem.Status == HttpStatusCode.NotFound && DateTime.UtcNow < until)
            {
                // Not stored yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
