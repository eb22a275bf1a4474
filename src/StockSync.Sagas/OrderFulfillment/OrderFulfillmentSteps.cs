using MassTransit;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;
using StockSync.Sagas.Sourcing;

namespace StockSync.Sagas.OrderFulfillment;

/// <summary>
/// What the split-fulfillment machine does at each transition: sourcing, allocation and release through the ledger,
/// shipments, ERP postings and the answers to the stores and the OMS. <see cref="OrderFulfillmentStateMachine"/> says when.
/// </summary>
public sealed class OrderFulfillmentSteps(SagaLedger ledger, LocationStockReader stock, ISourcingStrategy sourcing, IOptions<OrderFlowOptions> options)
{
    /// <summary>The ledger's source system for this flow's movements.</summary>
    public const string SourceSystem = "stocksync:order-fulfillment";

    /// <summary>Records the order and sources every line; an invalid order is recorded with the reason and sourced nowhere.</summary>
    public async Task PlaceAsync(BehaviorContext<OrderFulfillmentState, FulfillOrder> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var order = context.Message;
        saga.OrderId = order.OrderId ?? string.Empty;
        saga.ChannelId = order.ChannelId;
        var problems = OrderValidation.Check(order);
        if (problems.Count > 0)
        {
            saga.Reason = OrderValidation.Describe(problems);
            return;
        }

        saga.Lines = [.. order.Lines.Select(l => new FulfillmentLine { Sku = l.Sku, Ordered = l.Quantity })];
        var held = order.Reservations ?? [];
        if (held.Count > 0)
        {
            await TakeOverAsync(context, held).ConfigureAwait(false);
        }

        var needed = saga.Lines
            .Select(l => (l.Sku, Quantity: l.Ordered - held.Where(h => h.Sku == l.Sku).Sum(h => h.Quantity)))
            .Where(n => n.Quantity > 0)
            .ToList();
        if (needed.Count > 0)
        {
            await SourceAsync(context, needed).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Allocates units an earlier step already holds for the order (the marketplace intake's reservations) where they
    /// are held: one shipment per location, the reservations committed through the ledger. They must apply: a refusal
    /// means the hold is gone, a fault with the reason (nothing is sourced twice).
    /// </summary>
    private async Task TakeOverAsync(BehaviorContext<OrderFulfillmentState, FulfillOrder> context, IReadOnlyList<HeldReservation> held)
    {
        var saga = context.Saga;
        var shipments = NewShipments(saga, held.Select(h => new SourcedUnits(h.LocationId, h.Sku, h.Quantity)));
        var movements = Step(saga);
        foreach (var reservation in held)
        {
            movements.Commit(reservation.LocationId, reservation.Sku, reservation.Quantity, reservation.ReservationId);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        await RequestAsync(context, shipments).ConfigureAwait(false);
        saga.Recount();
    }

    /// <summary>A location finished picking a shipment.</summary>
    public static async Task MarkPickedAsync(BehaviorContext<OrderFulfillmentState, OrderPicked> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await FindOpenShipmentAsync(context, context.Message.LocationId, context.Message.ShipmentId).ConfigureAwait(false) is { } shipment)
        {
            shipment.Status = ShipmentStatus.Picked;
        }
    }

    /// <summary>A shipment left: its allocation and on-hand decrease, and the ERP posting is requested.</summary>
    public async Task DispatchAsync(BehaviorContext<OrderFulfillmentState, ShipmentDispatched> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var message = context.Message;
        if (await FindOpenShipmentAsync(context, message.LocationId, message.ShipmentId).ConfigureAwait(false) is not { } shipment)
        {
            return;
        }

        var movements = Step(saga);
        foreach (var line in shipment.Lines)
        {
            movements.Ship(shipment.LocationId, line.Sku, line.Quantity, shipment.ShipmentId);
            saga.Line(line.Sku).Shipped += line.Quantity;
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        shipment.Status = ShipmentStatus.Shipped;
        shipment.ShippedAt = message.DispatchedAt.UtcDateTime;
        shipment.TrackingNumber = message.TrackingNumber;
        saga.Recount();
        await context.Publish(new OrderShipped
        {
            OrderId = saga.OrderId,
            ShipmentId = shipment.ShipmentId,
            LocationId = shipment.LocationId,
            Lines = [.. shipment.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
            TrackingNumber = message.TrackingNumber,
            ShippedAt = message.DispatchedAt,
        }).ConfigureAwait(false);
        await context.Publish(new ErpPostingRequested
        {
            PostingId = $"shipment:{shipment.ShipmentId}",
            Kind = "Shipment",
            OrderId = saga.OrderId,
            LocationId = shipment.LocationId,
            Reference = shipment.ShipmentId,
            Lines = [.. shipment.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
            OccurredAt = message.DispatchedAt,
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A short pick: the missing units' allocation is released at that location (and, by policy, written off its
    /// on-hand); the shipment keeps the units that were found; the missing units are re-sourced to other locations, or
    /// backordered.
    /// </summary>
    public async Task ShortPickAsync(BehaviorContext<OrderFulfillmentState, OrderShortPicked> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var message = context.Message;
        if (await FindOpenShipmentAsync(context, message.LocationId, message.ShipmentId).ConfigureAwait(false) is not { } shipment)
        {
            return;
        }

        if (OrderValidation.MissingLinesProblem(shipment.Lines.Select(l => (l.Sku, l.Quantity)), message.MissingLines) is not null)
        {
            await RefuseAsync(context, $"The missing lines must name SKUs of shipment {shipment.ShipmentId}, each once, at most its quantities.").ConfigureAwait(false);
            return;
        }

        var movements = Step(saga);
        foreach (var missing in message.MissingLines)
        {
            movements.ReleaseAllocation(shipment.LocationId, missing.Sku, missing.Quantity, "SHORT_PICK");
            if (options.Value.ShortPickWritesOffOnHand)
            {
                movements.WriteOffMissing(shipment.LocationId, missing.Sku, missing.Quantity, "SHORT_PICK");
            }

            shipment.Lines.Single(l => l.Sku == missing.Sku).Quantity -= missing.Quantity;
            saga.Line(missing.Sku).ShortPickedAt.Add(shipment.LocationId);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        shipment.Lines.RemoveAll(l => l.Quantity == 0);
        if (shipment.Lines.Count == 0)
        {
            shipment.Status = ShipmentStatus.Cancelled;
        }

        var missingText = string.Join(", ", message.MissingLines.Select(l => $"{l.Quantity} × {l.Sku}"));
        saga.Reason = $"Short pick at {shipment.LocationId} ({missingText}).";
        await SourceAsync(context, [.. message.MissingLines.Select(l => (l.Sku, l.Quantity))]).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels what has not left: open shipments are released through the ledger (and their locations told to stop),
    /// backorders are dropped; shipped units are refused, to be handled as a return.
    /// </summary>
    public async Task CancelAsync(BehaviorContext<OrderFulfillmentState, CancelOrder> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var reason = $"Cancelled{(context.Message.RequestedBy is null ? string.Empty : $" by {context.Message.RequestedBy}")}: {context.Message.Reason}";
        var released = new Dictionary<string, int>(StringComparer.Ordinal);
        var movements = Step(saga);
        var open = saga.Shipments.Where(s => s.IsOpen).ToList();
        foreach (var shipment in open)
        {
            foreach (var line in shipment.Lines)
            {
                movements.ReleaseAllocation(shipment.LocationId, line.Sku, line.Quantity, "CANCELLED");
                released[line.Sku] = released.GetValueOrDefault(line.Sku) + line.Quantity;
            }
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        foreach (var shipment in open)
        {
            shipment.Status = ShipmentStatus.Cancelled;
            await context.Publish(new FulfillmentCancelled { OrderId = saga.OrderId, ShipmentId = shipment.ShipmentId, LocationId = shipment.LocationId, Reason = reason }).ConfigureAwait(false);
        }

        foreach (var line in saga.Lines)
        {
            released[line.Sku] = released.GetValueOrDefault(line.Sku) + line.Backordered;
            line.Cancelled += released[line.Sku];
            line.Backordered = 0;
        }

        saga.Recount();
        saga.Reason = reason;
        await ReportCancellationAsync(context, released).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses a shipment confirmed after the order completed. A shipment that had been cancelled (a partial
    /// cancellation, or a short pick of every unit) had its units released, so the parcel must be stopped or received
    /// back as a return; anything else is a repeat.
    /// </summary>
    public static Task RefuseLateDispatchAsync(BehaviorContext<OrderFulfillmentState, ShipmentDispatched> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var message = context.Message;
        var cancelled = saga.Shipments.FirstOrDefault(s =>
            s.Status == ShipmentStatus.Cancelled && s.LocationId == message.LocationId && (message.ShipmentId is null || s.ShipmentId == message.ShipmentId));
        var reason = cancelled is null
            ? $"{nameof(ShipmentDispatched)} is not allowed while the order is {saga.CurrentState}."
            : $"Shipment {cancelled.ShipmentId} was cancelled before it was confirmed, and its units were released ({saga.Reason}). Stop the parcel, or receive it back as a return.";
        return RefuseAsync(context, reason);
    }

    /// <summary>Answers a cancellation of an order that has ended: nothing is released.</summary>
    public Task ReportCancellationAsync(BehaviorContext<OrderFulfillmentState, CancelOrder> context) =>
        ReportCancellationAsync(context, new Dictionary<string, int>());

    private async Task ReportCancellationAsync(BehaviorContext<OrderFulfillmentState, CancelOrder> context, Dictionary<string, int> released)
    {
        var saga = context.Saga;
        var releasedLines = saga.Lines.Where(l => released.GetValueOrDefault(l.Sku) > 0).Select(l => new OrderLine { Sku = l.Sku, Quantity = released[l.Sku] }).ToList();
        var shippedLines = saga.Lines.Where(l => l.Shipped > 0).Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Shipped }).ToList();
        var outcome = releasedLines.Count == 0 ? CancellationOutcome.Refused
            : shippedLines.Count == 0 ? CancellationOutcome.Cancelled
            : CancellationOutcome.PartiallyCancelled;
        var refusal = shippedLines.Count > 0 ? "Already shipped: handle these units as a return."
            : releasedLines.Count == 0 ? $"The order has already ended ({saga.CurrentState}): nothing is held for it."
            : null;
        await context.Publish(new OrderCancellationProcessed
        {
            OrderId = saga.OrderId,
            Flow = OrderFlow.OrderFulfillment,
            Outcome = outcome,
            Released = releasedLines,
            Refused = shippedLines,
            RefusalReason = refusal,
            ProcessedAt = ledger.Now,
        }).ConfigureAwait(false);
    }

    /// <summary>Records when the order settled.</summary>
    public void Complete(BehaviorContext<OrderFulfillmentState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Saga.CompletedAt ??= ledger.Now.UtcDateTime;
    }

    /// <summary>
    /// Sources <paramref name="needed"/> with the strategy, allocates the plan through the ledger (all or nothing; if the
    /// stock moved under the plan, the message is retried and planned afresh), creates one shipment per location and asks
    /// each location to fulfil it; what no location has is backordered.
    /// </summary>
    private async Task SourceAsync(BehaviorContext<OrderFulfillmentState> context, IReadOnlyList<(string Sku, int Quantity)> needed)
    {
        var saga = context.Saga;
        var locations = await stock.ReadAsync([.. needed.Select(n => n.Sku)], context.CancellationToken).ConfigureAwait(false);
        var excluded = saga.Lines.ToDictionary(l => l.Sku, l => (IReadOnlySet<string>)l.ShortPickedAt.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var plan = sourcing.Plan(new SourcingRequest(needed, locations, excluded));

        var shipments = NewShipments(saga, plan.Allocations);
        var movements = Step(saga);
        foreach (var shipment in shipments)
        {
            var reservationId = $"{saga.OrderId}/{shipment.ShipmentId}";
            foreach (var line in shipment.Lines)
            {
                movements.Reserve(shipment.LocationId, line.Sku, line.Quantity, reservationId, saga.ChannelId);
                movements.Commit(shipment.LocationId, line.Sku, line.Quantity, reservationId);
            }
        }

        var refused = await ledger.TryApplyAllAsync(context, movements.Movements).ConfigureAwait(false);
        if (refused.Count > 0)
        {
            throw new SourcingConflictException(saga.OrderId, string.Join("; ", refused.Select(r => r.Outcome.Reason)));
        }

        await RequestAsync(context, shipments).ConfigureAwait(false);
        foreach (var (sku, quantity) in plan.Unavailable)
        {
            saga.Line(sku).Backordered += quantity;
        }

        if (plan.Unavailable.Count > 0)
        {
            var text = string.Join(", ", plan.Unavailable.Select(u => $"{u.Quantity} × {u.Sku}"));
            saga.Reason = $"{saga.Reason} Backordered: {text} (no location that ships has it).".Trim();
        }
        else if (shipments.Count > 0 && saga.Reason is not null)
        {
            saga.Reason = $"{saga.Reason} Re-sourced to {string.Join(", ", shipments.Select(s => s.LocationId))}.";
        }

        saga.Recount();
    }

    /// <summary>One new shipment per location of <paramref name="units"/>, numbered after the order's last one.</summary>
    private List<FulfillmentShipment> NewShipments(OrderFulfillmentState saga, IEnumerable<SourcedUnits> units) =>
        [.. units
            .GroupBy(a => a.LocationId, StringComparer.Ordinal)
            .Select(g => new FulfillmentShipment
            {
                ShipmentId = $"{saga.OrderId}-S{++saga.ShipmentCount}",
                LocationId = g.Key,
                RequestedAt = ledger.Now.UtcDateTime,
                Lines = [.. g.GroupBy(a => a.Sku, StringComparer.Ordinal).Select(s => new ShipmentLine { Sku = s.Key, Quantity = s.Sum(a => a.Quantity) })],
            })];

    /// <summary>Adds allocated shipments to the order and asks each location to fulfil its part.</summary>
    private static async Task RequestAsync(BehaviorContext<OrderFulfillmentState> context, IReadOnlyList<FulfillmentShipment> shipments)
    {
        var saga = context.Saga;
        saga.Shipments.AddRange(shipments);
        foreach (var shipment in shipments)
        {
            await context.Publish(new FulfillmentRequested
            {
                OrderId = saga.OrderId,
                ShipmentId = shipment.ShipmentId,
                LocationId = shipment.LocationId,
                Kind = FulfillmentKind.Ship,
                Lines = [.. shipment.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
            }).ConfigureAwait(false);
        }
    }

    private static async Task<FulfillmentShipment?> FindOpenShipmentAsync<T>(BehaviorContext<OrderFulfillmentState, T> context, string locationId, string? shipmentId)
        where T : class
    {
        var candidates = context.Saga.Shipments
            .Where(s => s.LocationId == locationId && (shipmentId is null || s.ShipmentId == shipmentId))
            .ToList();
        var open = candidates.Where(s => s.IsOpen).ToList();
        if (open.Count == 1)
        {
            return open[0];
        }

        var reason = open.Count > 1 ? $"{locationId} has {open.Count} open shipments of this order: name the shipment id."
            : candidates.Count > 0 ? $"Shipment {candidates[0].ShipmentId} at {locationId} is already {candidates[0].Status}."
            : $"The order has no shipment{(shipmentId is null ? string.Empty : $" {shipmentId}")} at {locationId}.";
        await RefuseAsync(context, reason).ConfigureAwait(false);
        return null;
    }

    private static Task RefuseAsync<T>(BehaviorContext<OrderFulfillmentState, T> context, string reason)
        where T : class =>
        OrderFlowRefusals.RefuseAsync(context, OrderFlow.OrderFulfillment, context.Saga.OrderId, typeof(T).Name, reason);

    private SagaMovements Step(OrderFulfillmentState saga) => new(SourceSystem, saga.OrderId, ++saga.LedgerStep, ledger.Now);
}

/// <summary>The stock moved between sourcing and allocation; the message is retried and sourced afresh.</summary>
public sealed class SourcingConflictException : Exception
{
    public SourcingConflictException()
    {
    }

    public SourcingConflictException(string message)
        : base(message)
    {
    }

    public SourcingConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SourcingConflictException(string orderId, string reason)
        : base($"Order {orderId}: the sourced stock changed before it could be allocated ({reason}); sourcing again.")
    {
    }
}
