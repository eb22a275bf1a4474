using System.CommandLine;
using System.Text.Json.Nodes;
using StockSync.Cli.Presentation;

namespace StockSync.Cli.Commands;

/// <summary><c>dead-letters list|groups|show|replay|discard</c> over <c>/ops/dead-letters</c>.</summary>
internal static class DeadLetterCommands
{
    private const string Statuses = "Open, Replayed or Discarded";

    public static Command Build(GlobalOptions globals) =>
        new Command("dead-letters", "Messages that failed on a queue, copied from its _error queue: list, group, read, replay once fixed, or discard with a reason.")
            .With(List(globals), Groups(globals), Show(globals), Replay(globals), Discard(globals));

    private static Command List(GlobalOptions globals)
    {
        var status = new Option<string>("--status") { Description = $"Only dead letters in this status ({Statuses}).", HelpName = "STATUS" };
        var queue = new Option<string>("--queue") { Description = "Only those that failed on this queue (for example erp-documents).", HelpName = "QUEUE" };
        var exception = new Option<string>("--exception") { Description = "Only this exception type (full name or name without namespace).", HelpName = "TYPE" };
        var orderId = new Option<string>("--order-id") { Description = "Only this order's dead letters.", HelpName = "ID" };
        var search = new Option<string>("--search") { Description = "Text in the exception message, or a message, order or correlation id.", HelpName = "TEXT" };
        var after = new Option<long?>("--after") { Description = "The next page: dead letters after this id (the last one of the previous page).", HelpName = "ID" };
        var limit = CommonOptions.Limit("At most this many (default 100).");
        var command = new Command("list", "Dead letters, the latest failure first, without bodies.").With(status, queue, exception, orderId, search, after, limit);
        command.Validators.Add(result =>
        {
            if (result.GetResult(orderId) is not null && result.GetResult(search) is not null)
            {
                result.AddError("Give --order-id or --search, not both.");
            }
        });
        return globals.Runs(command, async (call, ct) =>
        {
            var order = call.Parse.GetValue(orderId);
            var response = await call.Client.GetAsync(
                OpsClient.WithQuery(
                    "ops/dead-letters",
                    ("status", call.Parse.GetValue(status)),
                    ("queue", call.Parse.GetValue(queue)),
                    ("exceptionType", call.Parse.GetValue(exception)),
                    ("search", order ?? call.Parse.GetValue(search)),
                    ("after", call.Parse.GetValue(after)),
                    ("limit", call.Parse.GetValue(limit))),
                ct);
            if (order is not null)
            {
                // The host's search also matches the id in exception messages and other ids: keep this order's own.
                var own = new JsonArray([.. response.Json.AsArray().Where(l => Format.Text(l, "orderId") == order).Select(l => l!.DeepClone())]);
                response = response with { Text = own.ToJsonString() };
            }

            await call.PrintAsync(response, Views.DeadLetters);
        });
    }

    private static Command Groups(GlobalOptions globals)
    {
        var status = new Option<string>("--status") { Description = $"Only dead letters in this status ({Statuses}); all without it.", HelpName = "STATUS" };
        return globals.Runs(
            new Command("groups", "Dead letters grouped by queue, exception type and message, with counts: what keeps failing.").With(status),
            (call, ct) => call.GetAndPrintAsync(OpsClient.WithQuery("ops/dead-letters/groups", ("status", call.Parse.GetValue(status))), Views.DeadLetterGroups, ct));
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = Id();
        return globals.Runs(
            new Command("show", "One dead letter with everything recorded: exception, stack trace, body, replays, discard.").With(id),
            (call, ct) => call.GetAndPrintAsync($"ops/dead-letters/{call.Parse.GetValue(id)}", Views.DeadLetter, ct));
    }

    private static Command Replay(GlobalOptions globals)
    {
        var id = Id();
        var by = By("replays");
        return globals.Runs(
            new Command("replay", "Sends an open dead letter back to its queue once its cause is fixed. It becomes Replayed, and opens again if it fails again.").With(id, by),
            async (call, ct) => await call.PrintAsync(
                await call.Client.PostAsync($"ops/dead-letters/{call.Parse.GetValue(id)}/replay", new { by = call.Parse.GetValue(by) }, ct),
                Views.DeadLetterAction));
    }

    private static Command Discard(GlobalOptions globals)
    {
        var id = Id();
        var by = By("discards");
        var reason = new Option<string>("--reason") { Description = "Why it is discarded (kept with the dead letter).", HelpName = "TEXT", Required = true };
        return globals.Runs(
            new Command("discard", "Discards an open dead letter, recording who and why.").With(id, by, reason),
            async (call, ct) => await call.PrintAsync(
                await call.Client.PostAsync($"ops/dead-letters/{call.Parse.GetValue(id)}/discard", new { by = call.Parse.GetValue(by), reason = call.Parse.GetValue(reason) }, ct),
                Views.DeadLetterAction));
    }

    private static Argument<long> Id() => new("ID") { Description = "The dead letter's id (from dead-letters list)." };

    private static Option<string> By(string verb) => new("--by") { Description = $"Who {verb} it (your name; recorded).", HelpName = "NAME", Required = true };
}
