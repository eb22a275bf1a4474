using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;
using StockSync.Inventory;
using StockSync.Persistence;
using StockSync.Persistence.Telemetry;
using StockSync.Sagas.OrderFulfillment;
using StockSync.Sagas.Sourcing;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>
/// What the marketplace intake does: the line decisions and reservations, the acknowledgment attempts and their
/// retries, the alerts, the hand-over to fulfillment and the release on cancellation.
/// <see cref="MarketplaceOrderStateMachine"/> says when.
/// </summary>
public sealed class MarketplaceOrderSteps(
    SagaLedger ledger, LocationStockReader stock, ISourcingStrategy sourcing, StockSyncDbContext db, IOptions<MarketplaceOptions> options, StockSyncMetrics metrics)
{
    /// <summary>The ledger's source system for this flow's movements.</summary>
    public const string SourceSystem = "stocksync:marketplace-intake";

    /// <summary>The policy of <paramref name="marketplace"/>; an unknown marketplace is a fault naming the setting to add.</summary>
    public static MarketplacePolicy PolicyFor(MarketplaceOptions options, string? marketplace)
    {
        ArgumentNullException.ThrowIfNull(options);
        return marketplace is not null && options.Policies.TryGetValue(marketplace, out var policy) ? policy : throw UnknownMarketplaceException.For(marketplace);
    }

    /// <summary>
    /// Checks a marketplace order: a valid marketplace name, an order id that fits StockSync's order id, and 1 to
    /// <see cref="OrderValidation.MaxLines"/> lines, each with a line number (unique), a SKU and 1 to
    /// <see cref="OrderValidation.MaxQuantity"/> units. A SKU may appear on several lines (marketplaces split units).
    /// </summary>
    public static IReadOnlyList<ValidationProblem> Check(MarketplaceOrderReceived? message)
    {
        var problems = new List<ValidationProblem>();
        if (!MarketplaceOptions.IsValidName(message?.Marketplace))
        {
            problems.Add(new("marketplace", "The marketplace must be 1 to 32 lower-case letters, digits and dashes (for example walmart)."));
        }

        if (MovementValidator.CheckId("marketplaceOrderId", message?.MarketplaceOrderId) is { } id)
        {
            problems.Add(id);
        }
        else if (OrderIds.MarketplaceOrderId(message!.Marketplace ?? string.Empty, message.MarketplaceOrderId).Length > OrderIds.MaxLength)
        {
            problems.Add(new("marketplaceOrderId", $"The marketplace and its order id together cannot be longer than {OrderIds.MaxLength - 1} characters."));
        }

        var lines = message?.Lines;
        if (lines is not { Count: > 0 })
        {
            problems.Add(new("lines", "At least one line is required."));
            return problems;
        }

        if (lines.Count > OrderValidation.MaxLines)
        {
            problems.Add(new("lines", $"An order cannot have more than {OrderValidation.MaxLines} lines."));
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is not { } line)
            {
                problems.Add(new($"lines[{i}]", "A line cannot be null."));
                continue;
            }

            problems.AddRange(new[] { MovementValidator.CheckId($"lines[{i}].lineNumber", line.LineNumber), MovementValidator.CheckId($"lines[{i}].sku", line.Sku) }.OfType<ValidationProblem>());
            if (line.Quantity is < 1 or > OrderValidation.MaxQuantity)
            {
                problems.Add(new($"lines[{i}].quantity", $"The quantity must be between 1 and {OrderValidation.MaxQuantity}."));
            }
        }

        foreach (var repeated in lines.Where(l => l?.LineNumber is not null).GroupBy(l => l.LineNumber, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add(new("lines", $"Line number '{repeated.Key}' appears more than once."));
        }

        return problems;
    }

    /// <summary>
    /// Whether the order's ids fit its row (a marketplace name of at most 32 characters, and
    /// <c>{marketplace}:{marketplaceOrderId}</c> of at most <see cref="OrderIds.MaxLength"/>). An order whose ids do not
    /// fit cannot even be recorded as invalid; it is refused without a row.
    /// </summary>
    public static bool IdsFit(MarketplaceOrderReceived message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return (message.Marketplace?.Length ?? 0) <= 32
            && OrderIds.MarketplaceOrderId(message.Marketplace ?? string.Empty, message.MarketplaceOrderId ?? string.Empty).Length <= OrderIds.MaxLength;
    }

    /// <summary>Refuses an order whose ids are too long to store (<see cref="OrderEventRefused"/>, with the limits).</summary>
    public static Task RefuseUnstorableAsync(BehaviorContext<MarketplaceOrderState, MarketplaceOrderReceived> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var orderId = OrderIds.MarketplaceOrderId(context.Message.Marketplace ?? string.Empty, context.Message.MarketplaceOrderId ?? string.Empty);
        return OrderFlowRefusals.RefuseAsync(
            context, OrderFlow.MarketplaceOrderIntake, orderId.Length > 200 ? orderId[..200] : orderId, nameof(MarketplaceOrderReceived),
            $"The marketplace name (at most 32 characters) and order id together (at most {OrderIds.MaxLength - 1} characters) are too long to record; the order was not taken in.");
    }

    /// <summary>
    /// Records the order, decides every line (reserved, or rejected with the marketplace's reason code), holds the
    /// accepted units through the ledger, starts the deadlines and makes the first acknowledgment attempt. An invalid
    /// order is recorded with the reason and nothing else happens.
    /// </summary>
    public async Task ReceiveAsync(BehaviorContext<MarketplaceOrderState, MarketplaceOrderReceived> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var order = context.Message;
        var policy = PolicyFor(options.Value, order.Marketplace);
        saga.Marketplace = order.Marketplace;
        saga.MarketplaceOrderId = order.MarketplaceOrderId ?? string.Empty;
        saga.OrderId = OrderIds.MarketplaceOrderId(saga.Marketplace, saga.MarketplaceOrderId);
        saga.OrderedAt = order.OrderedAt.UtcDateTime;
        saga.AcknowledgeBy = (order.AcknowledgeBy ?? order.OrderedAt.Add(policy.AcknowledgeWithin)).UtcDateTime;
        var problems = Check(order);
        if (problems.Count > 0)
        {
            saga.Reason = OrderValidation.Describe(problems).Replace("Invalid order", "Invalid marketplace order", StringComparison.Ordinal);
            return;
        }

        saga.Lines = [.. order.Lines];
        await DecideAsync(context, policy).ConfigureAwait(false);

        saga.AcknowledgementDueAt = saga.AcknowledgeBy;
        var warning = saga.OrderedAt + ((saga.AcknowledgeBy - saga.OrderedAt) * policy.WarnAt);
        saga.WarningAt = warning < saga.AcknowledgeBy ? warning : null;
        await AttemptAsync(context).ConfigureAwait(false);
    }

    /// <summary>Makes an acknowledgment attempt: asks the marketplace adapter to send the decisions.</summary>
    public async Task AttemptAsync(BehaviorContext<MarketplaceOrderState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.Attempts++;
        saga.LastAttemptAt = ledger.Now.UtcDateTime;
        saga.NextAttemptAt = null;
        await context.Publish(new AcknowledgeMarketplaceOrder
        {
            Marketplace = saga.Marketplace,
            MarketplaceOrderId = saga.MarketplaceOrderId,
            OrderId = saga.OrderId,
            Lines = saga.Decisions,
            Attempt = saga.Attempts,
            AcknowledgeBy = Utc(saga.AcknowledgeBy),
        }).ConfigureAwait(false);
    }

    /// <summary>Whether a failure report is about the latest attempt (an older attempt's report changes nothing).</summary>
    public static bool IsLatest(BehaviorContext<MarketplaceOrderState, MarketplaceAcknowledgementFailed> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Message.Attempt == context.Saga.Attempts;
    }

    /// <summary>
    /// Records a failed attempt and, while the deadline is pending and the failure is retryable, schedules the next
    /// attempt (the configured backoff, or the marketplace's Retry-After if longer) if it still falls before the deadline.
    /// </summary>
    public void RecordFailure(BehaviorContext<MarketplaceOrderState, MarketplaceAcknowledgementFailed> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var message = context.Message;
        saga.LastError = $"Attempt {message.Attempt}: {message.Error}";
        if (message.Retryable && saga.AcknowledgementDueAt is { } due)
        {
            var next = ledger.Now.UtcDateTime + options.Value.RetryDelay(message.Attempt, message.RetryAfter);
            saga.NextAttemptAt = next < due ? next : null;
            if (saga.NextAttemptAt is null)
            {
                saga.LastError += " (no further attempt fits before the deadline)";
            }
        }
    }

    /// <summary>The marketplace refused the acknowledgment itself: automatic attempts stop and operators are alerted.</summary>
    public Task RefuseAsync(BehaviorContext<MarketplaceOrderState, MarketplaceAcknowledgementFailed> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.NextAttemptAt = null;
        saga.AcknowledgementDueAt = null;
        saga.WarningAt = null;
        saga.Reason = $"The marketplace refused the acknowledgment: {context.Message.Error}";
        return AlertAsync(context, MarketplaceAlertKind.AcknowledgementRefused);
    }

    /// <summary>The warning share of the window passed unacknowledged.</summary>
    public Task WarnAsync(BehaviorContext<MarketplaceOrderState, MarketplaceAcknowledgementWarningDue> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Saga.WarningAt = null;
        context.Saga.WarnedAt = ledger.Now.UtcDateTime;
        return AlertAsync(context, MarketplaceAlertKind.AcknowledgementLate);
    }

    /// <summary>The deadline passed unacknowledged: automatic attempts stop, the stock stays held, operators are alerted.</summary>
    public Task MissDeadlineAsync(BehaviorContext<MarketplaceOrderState, MarketplaceAcknowledgementDeadlinePassed> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.AcknowledgementDueAt = null;
        saga.WarningAt = null;
        saga.NextAttemptAt = null;
        saga.DeadlineMissedAt = ledger.Now.UtcDateTime;
        metrics.AcknowledgementDeadlineMissed(saga.Marketplace);
        saga.Reason = $"Not acknowledged by {Utc(saga.AcknowledgeBy):u} after {saga.Attempts} attempt(s){(saga.LastError is null ? string.Empty : $"; last error: {saga.LastError}")}.";
        return AlertAsync(context, MarketplaceAlertKind.DeadlineMissed);
    }

    /// <summary>
    /// The marketplace took the acknowledgment: the deadlines are cleared, and the accepted lines are handed to
    /// fulfillment with the units already held for them (nothing is sourced twice).
    /// </summary>
    public async Task AcknowledgeAsync(BehaviorContext<MarketplaceOrderState, MarketplaceOrderAcknowledged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.AcknowledgedAt = context.Message.AcknowledgedAt.UtcDateTime;
        saga.AcknowledgementDueAt = null;
        saga.WarningAt = null;
        saga.NextAttemptAt = null;
        saga.Reason = Rejections(saga); // a refusal or a missed deadline is over once the marketplace took the acknowledgment
        if (saga.AcceptedLines == 0)
        {
            return;
        }

        var accepted = saga.Decisions
            .Where(d => d.Decision == MarketplaceLineDecision.Accepted)
            .GroupBy(d => d.Sku, StringComparer.Ordinal)
            .Select(g => new OrderLine { Sku = g.Key, Quantity = g.Sum(d => d.Quantity) })
            .ToList();
        await context.Publish(new FulfillOrder
        {
            OrderId = saga.OrderId,
            Lines = accepted,
            ChannelId = ChannelOf(saga),
            PlacedAt = Utc(saga.OrderedAt),
            Reservations = saga.Reservations,
        }).ConfigureAwait(false);
    }

    /// <summary>The marketplace cancelled the order before it was handed over: the held units are released.</summary>
    public async Task ReleaseAsync(BehaviorContext<MarketplaceOrderState, MarketplaceOrderCancelled> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var reason = $"Cancelled by the marketplace{(context.Message.Reason is null ? string.Empty : $": {context.Message.Reason}")}";
        var movements = Step(saga);
        foreach (var held in saga.Reservations)
        {
            movements.ReleaseReservation(held.LocationId, held.Sku, held.Quantity, held.ReservationId, "MARKETPLACE_CANCELLED");
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        saga.Reservations = [];
        saga.CancelledAt = context.Message.CancelledAt.UtcDateTime;
        saga.AcknowledgementDueAt = null;
        saga.WarningAt = null;
        saga.NextAttemptAt = null;
        saga.Reason = reason;
    }

    /// <summary>
    /// The marketplace cancelled an order already handed over: fulfillment decides (it releases what has not shipped
    /// and answers with <see cref="OrderCancellationProcessed"/>).
    /// </summary>
    public static async Task ForwardCancellationAsync(BehaviorContext<MarketplaceOrderState, MarketplaceOrderCancelled> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.CancelledAt = context.Message.CancelledAt.UtcDateTime;
        saga.Reason = $"Cancelled by the marketplace after hand-over{(context.Message.Reason is null ? string.Empty : $": {context.Message.Reason}")}; fulfillment releases what has not shipped.";
        await context.Publish(new CancelOrder
        {
            OrderId = saga.OrderId,
            Reason = $"Cancelled by {saga.Marketplace}{(context.Message.Reason is null ? string.Empty : $": {context.Message.Reason}")}",
            RequestedBy = saga.Marketplace,
            RequestedAt = context.Message.CancelledAt,
        }).ConfigureAwait(false);
    }

    /// <summary>The same order was delivered again: counted, nothing else.</summary>
    public static void CountRedelivery(BehaviorContext<MarketplaceOrderState, MarketplaceOrderReceived> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Saga.Redeliveries++;
    }

    private string ChannelOf(MarketplaceOrderState saga) => options.Value.Policies.GetValueOrDefault(saga.Marketplace)?.ChannelId ?? saga.Marketplace;

    /// <summary>
    /// Decides every line. The whole order is planned at once (so one location ships it when it can); if some units are
    /// missing, lines are taken one by one in the marketplace's order, each accepted only if all its units can be held
    /// (no line is half-accepted), the rest rejected out of stock. SKUs not in the item master are rejected as unknown.
    /// The accepted units are reserved all or nothing; if the stock moved under the plan, the message is retried.
    /// </summary>
    private async Task DecideAsync(BehaviorContext<MarketplaceOrderState, MarketplaceOrderReceived> context, MarketplacePolicy policy)
    {
        var saga = context.Saga;
        var skus = saga.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal).ToList();
        var known = (await db.Items.AsNoTracking().Where(i => skus.Contains(i.Sku)).Select(i => i.Sku).ToListAsync(context.CancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        var locations = await stock.ReadAsync(skus, context.CancellationToken).ConfigureAwait(false);
        var noExclusions = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);

        var wanted = saga.Lines.Where(l => known.Contains(l.Sku)).GroupBy(l => l.Sku, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(l => l.Quantity))).ToList();
        var whole = sourcing.Plan(new SourcingRequest(wanted, locations, noExclusions));
        var allocations = new List<SourcedUnits>();
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        if (whole.Unavailable.Count == 0)
        {
            allocations.AddRange(whole.Allocations);
            accepted.UnionWith(saga.Lines.Where(l => known.Contains(l.Sku)).Select(l => l.LineNumber));
        }
        else
        {
            var available = locations.ToDictionary(l => l.LocationId, l => l.AvailableToSell.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var line in saga.Lines.Where(l => known.Contains(l.Sku)))
            {
                var now = locations.Select(l => l with { AvailableToSell = available[l.LocationId] }).ToList();
                var plan = sourcing.Plan(new SourcingRequest([(line.Sku, line.Quantity)], now, noExclusions));
                if (plan.Unavailable.Count > 0)
                {
                    continue;
                }

                accepted.Add(line.LineNumber);
                foreach (var units in plan.Allocations)
                {
                    available[units.LocationId][units.Sku] = available[units.LocationId].GetValueOrDefault(units.Sku) - units.Quantity;
                    allocations.Add(units);
                }
            }
        }

        saga.Decisions = [.. saga.Lines.Select(l => accepted.Contains(l.LineNumber)
            ? new MarketplaceLineAcknowledgement { LineNumber = l.LineNumber, Sku = l.Sku, Quantity = l.Quantity, Decision = MarketplaceLineDecision.Accepted }
            : Rejection(l, policy, known.Contains(l.Sku) ? MarketplaceRejections.OutOfStock : MarketplaceRejections.UnknownProduct))];
        saga.AcceptedLines = accepted.Count;
        saga.RejectedLines = saga.Lines.Count - accepted.Count;

        var reservationId = $"{saga.OrderId}/intake";
        saga.Reservations = [.. allocations
            .GroupBy(a => (a.LocationId, a.Sku))
            .Select(g => new HeldReservation { LocationId = g.Key.LocationId, Sku = g.Key.Sku, Quantity = g.Sum(a => a.Quantity), ReservationId = reservationId })];
        var movements = Step(saga);
        foreach (var held in saga.Reservations)
        {
            movements.Reserve(held.LocationId, held.Sku, held.Quantity, held.ReservationId, policy.ChannelId ?? saga.Marketplace);
        }

        var refused = await ledger.TryApplyAllAsync(context, movements.Movements).ConfigureAwait(false);
        if (refused.Count > 0)
        {
            throw new SourcingConflictException(saga.OrderId, string.Join("; ", refused.Select(r => r.Outcome.Reason)));
        }

        saga.Reason = Rejections(saga);
    }

    /// <summary>The rejected lines in words, or null when every line was accepted.</summary>
    private static string? Rejections(MarketplaceOrderState saga) => saga.RejectedLines == 0 ? null
        : "Rejected: " + string.Join(", ", saga.Decisions.Where(d => d.Decision == MarketplaceLineDecision.Rejected).Select(d => $"line {d.LineNumber} ({d.Quantity} × {d.Sku}, {d.ReasonCode})")) + ".";

    private static MarketplaceLineAcknowledgement Rejection(MarketplaceOrderLine line, MarketplacePolicy policy, string reason) => new()
    {
        LineNumber = line.LineNumber,
        Sku = line.Sku,
        Quantity = line.Quantity,
        Decision = MarketplaceLineDecision.Rejected,
        ReasonCode = policy.CodeFor(reason),
        Reason = reason == MarketplaceRejections.OutOfStock
            ? $"No location that ships has {line.Quantity} × {line.Sku} available."
            : $"SKU {line.Sku} is not in the item master.",
    };

    private Task AlertAsync(BehaviorContext<MarketplaceOrderState> context, MarketplaceAlertKind kind)
    {
        var saga = context.Saga;
        return context.Publish(new MarketplaceOrderAlert
        {
            Marketplace = saga.Marketplace,
            MarketplaceOrderId = saga.MarketplaceOrderId,
            OrderId = saga.OrderId,
            Kind = kind,
            AcknowledgeBy = Utc(saga.AcknowledgeBy),
            Attempts = saga.Attempts,
            LastError = saga.LastError,
            RaisedAt = ledger.Now,
        });
    }

    private SagaMovements Step(MarketplaceOrderState saga) => new(SourceSystem, saga.OrderId, ++saga.LedgerStep, ledger.Now);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
