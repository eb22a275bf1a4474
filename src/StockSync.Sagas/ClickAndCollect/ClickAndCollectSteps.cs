using MassTransit;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;
using StockSync.Inventory;
using StockSync.Sagas.Sourcing;

namespace StockSync.Sagas.ClickAndCollect;

/// <summary>
/// What the click-and-collect machine does at each transition: the ledger movements, the messages to the store and the
/// customer, and the deadline columns. The machine (<see cref="ClickAndCollectStateMachine"/>) only says when.
/// </summary>
public sealed class ClickAndCollectSteps(SagaLedger ledger, LocationStockReader stock, IOptions<OrderFlowOptions> options)
{
    /// <summary>The ledger's source system for this flow's movements.</summary>
    public const string SourceSystem = "stocksync:click-and-collect";

    private OrderFlowOptions Options => options.Value;

    /// <summary>Reserves every line at the chosen store, or records why not (with alternatives when stock is the reason).</summary>
    public async Task ReserveAsync(BehaviorContext<ClickAndCollectState, ReserveForPickup> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var order = context.Message;
        saga.OrderId = order.OrderId ?? string.Empty;
        saga.StoreId = order.StoreId ?? string.Empty;
        saga.RequestedStoreId = saga.StoreId;
        saga.ChannelId = order.ChannelId;
        saga.CustomerReference = order.CustomerReference;
        saga.Lines = [.. order.Lines ?? []];
        saga.Attempt = 1;
        saga.ReservationId = $"{saga.OrderId}#1";

        var problems = OrderValidation.Check(order);
        if (problems.Count > 0)
        {
            await RejectAsync(context, OrderValidation.Describe(problems), []).ConfigureAwait(false);
            return;
        }

        if (await stock.FindAsync(saga.StoreId, context.CancellationToken).ConfigureAwait(false) is { OffersPickup: false } location)
        {
            await RejectAsync(
                context,
                $"{location.LocationId} ({location.Kind}) does not offer pickup.",
                await FindAlternativesAsync(saga, context.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        var movements = Step(saga);
        foreach (var line in saga.Lines)
        {
            movements.Reserve(saga.StoreId, line.Sku, line.Quantity, saga.ReservationId, saga.ChannelId ?? "click-and-collect");
        }

        var refused = await ledger.TryApplyAllAsync(context, movements.Movements).ConfigureAwait(false);
        if (refused.Count == 0)
        {
            saga.HoldExpiresAt = ledger.Now.UtcDateTime.Add(Options.PickupHold);
            await context.Publish(new ClickAndCollectReserved
            {
                OrderId = saga.OrderId,
                StoreId = saga.StoreId,
                Lines = saga.Lines,
                HoldExpiresAt = new DateTimeOffset(saga.HoldExpiresAt.Value, TimeSpan.Zero),
            }).ConfigureAwait(false);
            return;
        }

        var reason = string.Join("; ", refused.Select(r => r.Outcome.Reason));
        var alternatives = refused.Any(r => r.Outcome.Kind == RejectionKind.InsufficientAvailable)
            ? await FindAlternativesAsync(saga, context.CancellationToken).ConfigureAwait(false)
            : [];
        await RejectAsync(context, reason, alternatives).ConfigureAwait(false);
    }

    /// <summary>Turns the reservation into the order's allocation and asks the store to pick.</summary>
    public async Task ConfirmPaymentAsync(BehaviorContext<ClickAndCollectState, PaymentConfirmed> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var movements = Step(saga);
        foreach (var line in saga.Lines)
        {
            movements.Commit(saga.StoreId, line.Sku, line.Quantity, saga.ReservationId);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        saga.PaidAt = context.Message.ConfirmedAt.UtcDateTime;
        saga.HoldExpiresAt = null;
        await RequestPickAsync(context, saga).ConfigureAwait(false);
    }

    /// <summary>Gives the reservation back (hold expired, or cancelled before payment).</summary>
    public async Task ReleaseReservationAsync(BehaviorContext<ClickAndCollectState> context, string reasonCode, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var movements = Step(saga);
        foreach (var line in saga.Lines)
        {
            movements.ReleaseReservation(saga.StoreId, line.Sku, line.Quantity, saga.ReservationId, reasonCode);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        saga.HoldExpiresAt = null;
        saga.Reason = reason;
    }

    /// <summary>Gives the allocation back and tells the store to put the units back (cancelled, or the window expired).</summary>
    public async Task ReleaseAllocationAsync(BehaviorContext<ClickAndCollectState> context, string reasonCode, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var movements = Step(saga);
        foreach (var line in saga.Lines)
        {
            movements.ReleaseAllocation(saga.StoreId, line.Sku, line.Quantity, reasonCode);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        await TellStoreToStopAsync(context, saga, reason).ConfigureAwait(false);
        ClearPickupDeadlines(saga);
        saga.Reason = reason;
    }

    /// <summary>Starts the pickup window (and the reminder).</summary>
    public void StartPickupWindow(BehaviorContext<ClickAndCollectState, OrderReadyForPickup> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = ledger.Now.UtcDateTime;
        context.Saga.ReadyAt = now;
        context.Saga.PickupWindowEndsAt = now.Add(Options.PickupWindow);
        context.Saga.PickupReminderAt = Options.PickupReminderAfter is { } reminder ? now.Add(reminder) : null;
    }

    /// <summary>Publishes the reminder to collect, once.</summary>
    public static async Task RemindAsync(BehaviorContext<ClickAndCollectState> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        saga.PickupReminderAt = null;
        if (saga.PickupWindowEndsAt <= context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow().UtcDateTime)
        {
            // The sweeper was behind (the host was down): the window has closed too, and its own event releases the order.
            return;
        }

        await context.Publish(new PickupReminderDue
        {
            OrderId = saga.OrderId,
            StoreId = saga.StoreId,
            PickupWindowEndsAt = new DateTimeOffset(saga.PickupWindowEndsAt!.Value, TimeSpan.Zero),
        }).ConfigureAwait(false);
    }

    /// <summary>The customer took the units: allocation and on-hand both decrease, and the ERP is asked to book them out.</summary>
    public async Task CollectAsync(BehaviorContext<ClickAndCollectState, OrderCollected> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var movements = Step(saga);
        foreach (var line in saga.Lines)
        {
            movements.Ship(saga.StoreId, line.Sku, line.Quantity, context.Message.HandoverId ?? saga.ShipmentId ?? saga.OrderId);
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        saga.CollectedAt = context.Message.CollectedAt.UtcDateTime;
        ClearPickupDeadlines(saga);

        // The units left the store with the customer: the ERP books them out like a shipment.
        await context.Publish(new ErpPostingRequested
        {
            PostingId = $"pickup:{saga.OrderId}",
            Kind = "Shipment",
            OrderId = saga.OrderId,
            LocationId = saga.StoreId,
            Reference = context.Message.HandoverId ?? saga.OrderId,
            Lines = [.. saga.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
            OccurredAt = context.Message.CollectedAt,
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A short pick: the store's allocation is released and the missing units written off its on-hand (by policy);
    /// then the whole order moves to the nearest other pickup store that has every line, or, if none has, it is
    /// released with the reason. Sets <see cref="ClickAndCollectState.Resourced"/> when it moved.
    /// </summary>
    public async Task ShortPickAsync(BehaviorContext<ClickAndCollectState, OrderShortPicked> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        var shortStore = saga.StoreId;
        var movements = Step(saga);
        foreach (var line in saga.Lines)
        {
            movements.ReleaseAllocation(shortStore, line.Sku, line.Quantity, "SHORT_PICK");
        }

        if (Options.ShortPickWritesOffOnHand)
        {
            foreach (var missing in context.Message.MissingLines)
            {
                movements.WriteOffMissing(shortStore, missing.Sku, missing.Quantity, "SHORT_PICK");
            }
        }

        await ledger.ApplyAsync(context, movements.Movements).ConfigureAwait(false);
        saga.ShortPickedAt.Add(shortStore);
        var missingText = string.Join(", ", context.Message.MissingLines.Select(l => $"{l.Quantity} × {l.Sku}"));
        await TellStoreToStopAsync(context, saga, $"short pick ({missingText}); the order is moved or cancelled").ConfigureAwait(false);

        var lines = saga.Lines.Select(l => (l.Sku, l.Quantity)).ToList();
        var locations = await stock.ReadAsync([.. saga.Lines.Select(l => l.Sku)], context.CancellationToken).ConfigureAwait(false);
        // Nearest to the store the customer chose, not to the one that short-picked: after two short picks the order
        // must not drift away from the customer.
        var origin = locations.FirstOrDefault(l => l.LocationId == saga.RequestedStoreId);
        foreach (var (store, _) in NearestStores.WithAll(origin, locations, lines, saga.ShortPickedAt.ToHashSet(StringComparer.Ordinal)))
        {
            var attempt = saga.Attempt + 1;
            var reservationId = $"{saga.OrderId}#{attempt}";
            var allocate = Step(saga);
            foreach (var line in saga.Lines)
            {
                allocate.Reserve(store.LocationId, line.Sku, line.Quantity, reservationId, saga.ChannelId ?? "click-and-collect");
                allocate.Commit(store.LocationId, line.Sku, line.Quantity, reservationId);
            }

            if ((await ledger.TryApplyAllAsync(context, allocate.Movements).ConfigureAwait(false)).Count == 0)
            {
                saga.Attempt = attempt;
                saga.ReservationId = reservationId;
                saga.StoreId = store.LocationId;
                saga.Reason = $"Short pick at {shortStore} ({missingText}): re-sourced to {store.LocationId}.";
                saga.Resourced = true;
                await RequestPickAsync(context, saga).ConfigureAwait(false);
                await context.Publish(new OrderStatusChanged
                {
                    OrderId = saga.OrderId,
                    Flow = OrderFlow.ClickAndCollect,
                    Status = saga.CurrentState,
                    PreviousStatus = saga.CurrentState,
                    LocationId = saga.StoreId,
                    Reason = saga.Reason,
                    ChangedAt = ledger.Now,
                }).ConfigureAwait(false);
                return;
            }
        }

        saga.Resourced = false;
        saga.ShipmentId = null;
        saga.Reason = $"Short pick at {shortStore} ({missingText}) and no other pickup store has every line: the order is cancelled.";
    }

    /// <summary>Answers a cancellation: what was released, or why nothing could be.</summary>
    public async Task ReportCancellationAsync(BehaviorContext<ClickAndCollectState, CancelOrder> context, bool released)
    {
        ArgumentNullException.ThrowIfNull(context);
        var saga = context.Saga;
        string? refusal = null;
        if (!released)
        {
            refusal = saga.CurrentState == "Collected"
                ? "The order was already collected: handle it as a return."
                : $"The order has already ended ({saga.CurrentState}): nothing is held for it.";
        }

        await context.Publish(new OrderCancellationProcessed
        {
            OrderId = saga.OrderId,
            Flow = OrderFlow.ClickAndCollect,
            Outcome = released ? CancellationOutcome.Cancelled : CancellationOutcome.Refused,
            Released = released ? saga.Lines : [],
            Refused = !released && saga.CurrentState == "Collected" ? saga.Lines : [],
            RefusalReason = refusal,
            ProcessedAt = ledger.Now,
        }).ConfigureAwait(false);
    }

    /// <summary>The reason text of a cancellation, as stored on the row.</summary>
    public static string CancelledBecause(CancelOrder message) =>
        $"Cancelled{(message.RequestedBy is null ? string.Empty : $" by {message.RequestedBy}")}: {message.Reason}";

    private static async Task RejectAsync(BehaviorContext<ClickAndCollectState, ReserveForPickup> context, string reason, IReadOnlyList<StoreAlternative> alternatives)
    {
        var saga = context.Saga;
        saga.Reason = reason;
        saga.Alternatives = [.. alternatives];
        await context.Publish(new ClickAndCollectRejected
        {
            OrderId = saga.OrderId,
            StoreId = saga.StoreId,
            Reason = reason,
            Alternatives = alternatives,
        }).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<StoreAlternative>> FindAlternativesAsync(ClickAndCollectState saga, CancellationToken ct)
    {
        if (Options.AlternativeStores == 0)
        {
            return [];
        }

        var lines = saga.Lines.Select(l => (l.Sku, l.Quantity)).ToList();
        var locations = await stock.ReadAsync([.. saga.Lines.Select(l => l.Sku)], ct).ConfigureAwait(false);
        var origin = locations.FirstOrDefault(l => l.LocationId == saga.StoreId);
        return [.. NearestStores.WithAll(origin, locations, lines, new HashSet<string>())
            .Take(Options.AlternativeStores)
            .Select(x => new StoreAlternative
            {
                StoreId = x.Store.LocationId,
                Name = x.Store.Name,
                DistanceKm = x.DistanceKm,
                Available = [.. saga.Lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = x.Store.Available(l.Sku) })],
            })];
    }

    private static async Task RequestPickAsync(ConsumeContext context, ClickAndCollectState saga)
    {
        saga.ShipmentId = $"{saga.OrderId}-P{saga.Attempt}";
        await context.Publish(new FulfillmentRequested
        {
            OrderId = saga.OrderId,
            ShipmentId = saga.ShipmentId,
            LocationId = saga.StoreId,
            Kind = FulfillmentKind.StorePickup,
            Lines = saga.Lines,
        }).ConfigureAwait(false);
    }

    private static async Task TellStoreToStopAsync(ConsumeContext context, ClickAndCollectState saga, string reason)
    {
        if (saga.ShipmentId is null)
        {
            return;
        }

        await context.Publish(new FulfillmentCancelled
        {
            OrderId = saga.OrderId,
            ShipmentId = saga.ShipmentId,
            LocationId = saga.StoreId,
            Reason = reason,
        }).ConfigureAwait(false);
    }

    private static void ClearPickupDeadlines(ClickAndCollectState saga)
    {
        saga.HoldExpiresAt = null;
        saga.PickupReminderAt = null;
        saga.PickupWindowEndsAt = null;
    }

    private SagaMovements Step(ClickAndCollectState saga) => new(SourceSystem, saga.OrderId, ++saga.LedgerStep, ledger.Now);
}
