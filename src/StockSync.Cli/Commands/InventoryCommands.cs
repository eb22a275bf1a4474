using System.CommandLine;
using StockSync.Cli.Presentation;

namespace StockSync.Cli.Commands;

/// <summary><c>inventory position|ledger</c> over <c>/inventory</c>.</summary>
internal static class InventoryCommands
{
    public static Command Build(GlobalOptions globals) =>
        new Command("inventory", "Stock positions and the ledger behind them.").With(Position(globals), Ledger(globals));

    private static Command Position(GlobalOptions globals)
    {
        var sku = new Argument<string>("SKU") { Description = "The SKU." };
        var location = new Option<string>("--location") { Description = "Only this location in the table (--json prints every location).", HelpName = "LOCATION" };
        return globals.Runs(
            new Command("position", "A SKU's buckets at every location: on hand, reserved, allocated, damaged, quarantine, safety stock, in transit, available to sell and each channel's exposure.").With(sku, location),
            (call, ct) => call.GetAndPrintAsync($"inventory/{OpsClient.Segment(call.Parse.GetValue(sku)!)}", json => Views.Position(json, call.Parse.GetValue(location)), ct));
    }

    private static Command Ledger(GlobalOptions globals)
    {
        var sku = new Argument<string>("SKU") { Description = "The SKU." };
        var location = new Argument<string>("LOCATION") { Description = "The location id." };
        var limit = CommonOptions.Limit("At most this many rows (default 100).");
        var before = new Option<long?>("--before") { Description = "The next page: rows older than this ledger id.", HelpName = "ID" };
        return globals.Runs(
            new Command("ledger", "The ledger rows of one SKU at one location, newest first: every movement with its source and bucket deltas.").With(sku, location, limit, before),
            (call, ct) => call.GetAndPrintAsync(
                OpsClient.WithQuery(
                    $"inventory/{OpsClient.Segment(call.Parse.GetValue(sku)!)}/{OpsClient.Segment(call.Parse.GetValue(location)!)}/ledger",
                    ("limit", call.Parse.GetValue(limit)),
                    ("before", call.Parse.GetValue(before))),
                Views.Ledger,
                ct));
    }
}
