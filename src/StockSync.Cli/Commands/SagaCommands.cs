using System.CommandLine;
using StockSync.Cli.Presentation;

namespace StockSync.Cli.Commands;

/// <summary><c>saga show</c>, <c>sagas by-state|list|stuck</c> and <c>deadlines</c>: saga state from <c>/ops/sagas</c> and <c>/ops/deadlines</c>.</summary>
internal static class SagaCommands
{
    /// <summary><c>saga show --order-id X | --correlation-id GUID</c>.</summary>
    public static Command Saga(GlobalOptions globals)
    {
        var orderId = new Option<string>("--order-id") { Description = "The order, return or marketplace order id.", HelpName = "ID" };
        var correlationId = new Option<Guid?>("--correlation-id") { Description = "One saga instance's correlation id (a UUID).", HelpName = "GUID" };
        var show = new Command("show", "One order's whole story: its saga instances with their state and row, the ledger movements they applied, the messages they published (outbox) and its dead letters.")
            .With(orderId, correlationId);
        show.Validators.Add(result =>
        {
            if ((result.GetResult(orderId) is null) == (result.GetResult(correlationId) is null))
            {
                result.AddError("Give either --order-id or --correlation-id.");
            }
        });
        globals.Runs(show, (call, ct) => call.GetAndPrintAsync(
            OpsClient.WithQuery("ops/sagas/lookup", ("orderId", call.Parse.GetValue(orderId)), ("correlationId", call.Parse.GetValue(correlationId))),
            Views.Lookup,
            ct));
        return new Command("saga", "One saga or order, whole.").With(show);
    }

    /// <summary><c>sagas by-state</c>, <c>sagas list</c>, <c>sagas stuck</c>.</summary>
    public static Command Sagas(GlobalOptions globals)
    {
        var byState = globals.Runs(
            new Command("by-state", "Instance counts per saga and state, with the oldest and newest change."),
            (call, ct) => call.GetAndPrintAsync("ops/sagas/by-state", Views.SagasByState, ct));

        var listSaga = CommonOptions.Saga();
        var state = new Option<string>("--state") { Description = "Only instances in this state (for example Picking).", HelpName = "STATE" };
        var listLimit = CommonOptions.Limit("At most this many instances (default 100).");
        var list = globals.Runs(
            new Command("list", "Saga instances, the latest change first.").With(listSaga, state, listLimit),
            (call, ct) => call.GetAndPrintAsync(
                OpsClient.WithQuery("ops/sagas", ("saga", call.Parse.GetValue(listSaga)), ("state", call.Parse.GetValue(state)), ("limit", call.Parse.GetValue(listLimit))),
                Views.Sagas,
                ct));

        var stuckSaga = CommonOptions.Saga();
        var stuckLimit = CommonOptions.Limit("At most this many instances (default 100).");
        var stuck = globals.Runs(
            new Command("stuck", "Instances unchanged for longer than their state's threshold (the SQL table ops_stuck_thresholds), the longest first.").With(stuckSaga, stuckLimit),
            (call, ct) => call.GetAndPrintAsync(
                OpsClient.WithQuery("ops/sagas/stuck", ("saga", call.Parse.GetValue(stuckSaga)), ("limit", call.Parse.GetValue(stuckLimit))),
                Views.Stuck,
                ct));
        return new Command("sagas", "Saga instances: counts by state, lists, stuck ones.").With(byState, list, stuck);
    }

    /// <summary><c>deadlines [--due] [--saga T]</c>.</summary>
    public static Command Deadlines(GlobalOptions globals)
    {
        var due = new Option<bool>("--due") { Description = "Only deadlines that have passed, with when the sweeper fired them." };
        var saga = CommonOptions.Saga();
        var limit = CommonOptions.Limit("At most this many deadlines (default 100).");
        return globals.Runs(
            new Command("deadlines", "Pending saga deadlines (hold expiries, pick and collection timeouts), the earliest first.").With(due, saga, limit),
            (call, ct) => call.GetAndPrintAsync(
                OpsClient.WithQuery("ops/deadlines", ("due", call.Parse.GetValue(due) ? "true" : null), ("saga", call.Parse.GetValue(saga)), ("limit", call.Parse.GetValue(limit))),
                Views.Deadlines,
                ct));
    }
}
