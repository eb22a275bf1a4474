using MassTransit;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;

namespace StockSync.Sagas.ReturnInspection;

/// <summary>
/// What the return-inspection machine does: quarantine on receipt, dispositions through the ledger, the refund request
/// and ERP posting per inspection, and the escalation when the SLA passes.
/// </summary>
public sealed class ReturnInspectionSteps(SagaLedger ledger, IOptions<OrderFlowOptions> options)
{
    /// <summary>The ledger's source system for this flow's movements.</summary>
    public const string SourceSystem = "stocksync:return-inspection";

    /// <summary>Quarantines the returned units (OnHand and Quarantine rise; ATS does not) and starts the SLA; or records why not.</summary>
    public async Task ReceiveAsync(BehaviorContext<ReturnInspectionState, ReceiveReturn> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var message = context.Message;
        saga.ReturnId = message.ReturnId ?? string.Empty;
        saga.LocationId = message.LocationId ?? string.Empty;
        saga.OrderId = message.OrderId;
        saga.OriginalTransactionId = message.OriginalTransactionId;
        saga.Lines = [.. message.Lines ?? []];
        saga.Reason = message.Reason;
        var problems = Check(message);
        if (problems.Count > 0)
        {
            saga.Reason = OrderValidation.Describe(problems).Replace("Invalid order", "Invalid return", StringComparison.Ordinal);
            return;
        }

        var returned = Step(saga, message.ReceivedAt);
        foreach (var line in saga.Lines)
        {
            returned.Return(saga.LocationId, line.Sku, line.Quantity, saga.ReturnId, saga.OriginalTransactionId);
        }

        var refused = await ledger.TryApplyAllAsync(context, returned.Movements).ConfigureAwait(false);
        if (refused.Count > 0)
        {
            saga.Reason = string.Join("; ", refused.Select(r => r.Outcome.Reason));
            return;
        }

        saga.UninspectedUnits = saga.Lines.Sum(l => l.Quantity);
        saga.InspectionDueAt = ledger.Now.UtcDateTime.Add(options.Value.ReturnInspectionSla);
    }

    /// <summary>Why an inspection cannot apply to the return, or null when it can.</summary>
    public static string? InspectionProblem(ReturnInspectionState saga, ReturnInspected message)
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(message);
        return InspectionProblem(saga.ReturnId, saga.Lines, saga.Inspected, message.Lines);
    }

    /// <summary>
    /// Why <paramref name="inspection"/> cannot apply to a return of <paramref name="lines"/> of which
    /// <paramref name="inspected"/> are already inspected: no line, a null line, a quantity below 1, an unknown
    /// disposition, or more of a SKU than waits. The saga and the HTTP API ask the same question here.
    /// </summary>
    public static string? InspectionProblem(string returnId, IReadOnlyList<OrderLine> lines, IReadOnlyList<InspectedLine> inspected, IReadOnlyList<InspectedLine>? inspection)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(inspected);
        if (inspection is not { Count: > 0 } || inspection.Any(l => l is null))
        {
            return "An inspection must name at least one line, and no null line.";
        }

        if (inspection.FirstOrDefault(l => l.Quantity < 1 || !Enum.IsDefined(l.Disposition)) is { } bad)
        {
            return $"The line {bad.Sku} × {bad.Quantity} ({bad.Disposition}) needs a quantity of at least 1 and a known disposition.";
        }

        int Waiting(string sku) => lines.Where(l => l.Sku == sku).Sum(l => l.Quantity) - inspected.Where(i => i.Sku == sku).Sum(i => i.Quantity);
        var over = inspection.GroupBy(l => l.Sku, StringComparer.Ordinal).FirstOrDefault(g => g.Sum(l => l.Quantity) > Waiting(g.Key));
        return over is null ? null : $"{over.Sum(l => l.Quantity)} × {over.Key} inspected, but only {Waiting(over.Key)} of it wait for inspection in return {returnId}.";
    }

    /// <summary>Moves the inspected units out of Quarantine by disposition; requests the refund and the ERP posting.</summary>
    public async Task InspectAsync(BehaviorContext<ReturnInspectionState, ReturnInspected> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var message = context.Message;
        var movements = Step(saga, message.InspectedAt);
        foreach (var line in message.Lines)
        {
            movements.Disposition(saga.LocationId, line.Sku, line.Quantity, line.Disposition, saga.ReturnId);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);

        saga.Inspected.AddRange(message.Lines);
        saga.UninspectedUnits = saga.Lines.Sum(l => l.Quantity) - saga.Inspected.Sum(l => l.Quantity);
        saga.InspectionCount++;
        if (saga.UninspectedUnits == 0)
        {
            saga.InspectionDueAt = null;
            saga.InspectedAt = message.InspectedAt.UtcDateTime;
        }

        await context.Publish(new RefundRequested
        {
            RefundId = $"{saga.ReturnId}:{saga.InspectionCount}",
            ReturnId = saga.ReturnId,
            OrderId = saga.OrderId,
            Lines = message.Lines,
        }).ConfigureAwait(false);
        await context.Publish(new ErpPostingRequested
        {
            PostingId = $"return:{saga.ReturnId}:{saga.InspectionCount}",
            Kind = "ReturnInspection",
            OrderId = saga.OrderId,
            LocationId = saga.LocationId,
            Reference = saga.ReturnId,
            Lines = [.. message.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
            OccurredAt = message.InspectedAt,
        }).ConfigureAwait(false);
    }

    /// <summary>Escalates a return that waited past its SLA.</summary>
    public async Task EscalateAsync(BehaviorContext<ReturnInspectionState, ReturnInspectionDue> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.InspectionDueAt = null;
        saga.EscalatedAt = ledger.Now.UtcDateTime;
        await context.Publish(new ReturnInspectionOverdue
        {
            ReturnId = saga.ReturnId,
            LocationId = saga.LocationId,
            Uninspected = [.. saga.Lines.Select(l => l.Sku).Distinct().Select(sku => new OrderLine { Sku = sku, Quantity = saga.Uninspected(sku) }).Where(l => l.Quantity > 0)],
            DueAt = new DateTimeOffset(context.Message.DueAt, TimeSpan.Zero),
        }).ConfigureAwait(false);
    }

    private static SagaMovements Step(ReturnInspectionState saga, DateTimeOffset occurredAt) => new(SourceSystem, saga.ReturnId, ++saga.LedgerStep, occurredAt);

    private static List<StockSync.Inventory.ValidationProblem> Check(ReceiveReturn message) =>
    [
        .. OrderValidation.CheckId("returnId", message.ReturnId).Concat(message.ReturnId is { Length: > OrderIds.MaxLength } ? [new("returnId", $"The return id cannot be longer than {OrderIds.MaxLength} characters.")] : []),
        .. OrderValidation.CheckId("locationId", message.LocationId),
        .. OrderValidation.CheckId("orderId", message.OrderId, required: false),
        .. OrderValidation.CheckLines("lines", message.Lines),
    ];
}
