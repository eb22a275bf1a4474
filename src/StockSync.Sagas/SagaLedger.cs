using MassTransit;
using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Inventory;
using StockSync.Persistence;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas;

/// <summary>
/// The sagas' door to the ledger. Every quantity effect of an order flow is a canonical movement applied here, inside
/// the saga's own transaction (the consumer outbox's): the saga's state, the ledger rows, the positions and the
/// <see cref="AvailabilityChanged"/> events commit together or not at all. Movements get ids derived from the order and
/// a step counter on the saga row, so the ledger's audit trail reads as the order's history.
/// </summary>
public sealed class SagaLedger(LedgerBatchWriter writer, StockSyncDbContext db, TimeProvider time)
{
    /// <summary>
    /// Applies movements that must apply (releases, shipments): a refusal means the ledger and the saga disagree, which
    /// is a fault with the reason (the message goes to the error queue, and can be replayed once corrected). Unless the
    /// saga row itself changed since this message loaded it: then another message of the same order (a cancellation
    /// racing a collection or a dispatch) moved the stock first, the refusal only says this message is working from a
    /// stale order, and it is a concurrency conflict, retried against the current row like any other.
    /// </summary>
    public async Task ApplyAsync(ConsumeContext context, IReadOnlyList<StockMovement> movements)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (movements.Count == 0)
        {
            return;
        }

        var result = await writer.ApplyAllOrNothingAsync(movements, context.CancellationToken).ConfigureAwait(false);
        if (result.Rejections.Count > 0)
        {
            var reason = string.Join("; ", result.Rejections.Select(r => r.Outcome.Reason));
            await ThrowIfSagaChangedAsync(reason, context.CancellationToken).ConfigureAwait(false);
            throw new SagaLedgerException(reason);
        }

        await PublishAsync(context, result).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies movements (reservations, allocations) only if all of them apply; returns the refusals, or an empty list
    /// when everything was applied.
    /// </summary>
    public async Task<IReadOnlyList<LedgerRejection>> TryApplyAllAsync(ConsumeContext context, IReadOnlyList<StockMovement> movements)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await writer.ApplyAllOrNothingAsync(movements, context.CancellationToken).ConfigureAwait(false);
        if (result.Rejections.Count == 0)
        {
            await PublishAsync(context, result).ConfigureAwait(false);
        }

        return result.Rejections;
    }

    /// <summary>The clock of the flows (the fake one in tests).</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Throws <see cref="DbUpdateConcurrencyException"/> (what the saga's own save would throw at commit) when a saga
    /// row this unit of work loaded has since been changed by a concurrent message.
    /// </summary>
    private async Task ThrowIfSagaChangedAsync(string refusal, CancellationToken ct)
    {
        foreach (var entry in db.ChangeTracker.Entries<StockSyncSagaState>().Where(e => e.State is EntityState.Unchanged or EntityState.Modified).ToList())
        {
            var loaded = entry.Property(s => s.Version).OriginalValue;
            var current = await entry.GetDatabaseValuesAsync(ct).ConfigureAwait(false);
            var now = current?.GetValue<int>(nameof(StockSyncSagaState.Version));
            if (now != loaded)
            {
                throw new DbUpdateConcurrencyException(
                    $"Saga {entry.Entity.GetType().Name} {entry.Entity.CorrelationId} changed (version {loaded} → {now?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "deleted"}) " +
                    $"while this message worked on it; the ledger's refusal ({refusal}) is retried against the current order.");
            }
        }
    }

    private static async Task PublishAsync(ConsumeContext context, LedgerBatchResult result)
    {
        foreach (var changed in result.AvailabilityChanges)
        {
            await context.Publish(changed, context.CancellationToken).ConfigureAwait(false);
        }

        foreach (var gap in result.GapsOpened)
        {
            await context.Publish(gap, context.CancellationToken).ConfigureAwait(false);
        }

        if (result.MovementsApplied is { } applied)
        {
            await context.Publish(applied, context.CancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The ledger refused a movement a saga had to apply: the saga's picture and the stock disagree.</summary>
public sealed class SagaLedgerException : Exception
{
    public SagaLedgerException()
    {
    }

    public SagaLedgerException(string message)
        : base($"The ledger refused an order movement: {message}")
    {
    }

    public SagaLedgerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Builds the movements of one saga step. Each gets the source system of the flow and the source message id
/// <c>{orderId}:{step}:{n}</c>, where the step is the saga row's counter: unique, stable, and readable in the ledger.
/// </summary>
public sealed class SagaMovements(string sourceSystem, string orderId, int step, DateTimeOffset occurredAt)
{
    private readonly List<StockMovement> _movements = [];

    /// <summary>The movements built so far, in order.</summary>
    public IReadOnlyList<StockMovement> Movements => _movements;

    /// <summary>Holds units (Reserved increases).</summary>
    public SagaMovements Reserve(string locationId, string sku, int quantity, string reservationId, string? channelId) =>
        Add(new StockReserved { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, ReservationId = reservationId, ChannelId = channelId });

    /// <summary>Gives held units back (Reserved decreases).</summary>
    public SagaMovements ReleaseReservation(string locationId, string sku, int quantity, string reservationId, string reason) =>
        Add(new ReservationReleased { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, ReservationId = reservationId, ReasonCode = reason });

    /// <summary>Turns held units into the order's allocation.</summary>
    public SagaMovements Commit(string locationId, string sku, int quantity, string reservationId) =>
        Add(new ReservationCommitted { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, ReservationId = reservationId, OrderId = orderId });

    /// <summary>Gives allocated units back (Allocated decreases).</summary>
    public SagaMovements ReleaseAllocation(string locationId, string sku, int quantity, string reason) =>
        Add(new AllocationReleased { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, OrderId = orderId, ReasonCode = reason });

    /// <summary>Allocated units left the location (Allocated and OnHand decrease).</summary>
    public SagaMovements Ship(string locationId, string sku, int quantity, string shipmentId) =>
        Add(new FulfillmentShipped { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, OrderId = orderId, ShipmentId = shipmentId });

    /// <summary>Units a pick could not find: OnHand decreases, with the reason code.</summary>
    public SagaMovements WriteOffMissing(string locationId, string sku, int quantity, string reasonCode) =>
        Add(new InventoryAdjusted { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = -quantity, Bucket = InventoryBucket.OnHand, ReasonCode = reasonCode });

    /// <summary>Returned units arrive in quarantine (OnHand and Quarantine increase; ATS does not).</summary>
    public SagaMovements Return(string locationId, string sku, int quantity, string returnId, string? originalTransactionId) =>
        Add(new ReturnReceived { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, ReturnId = returnId, OriginalTransactionId = originalTransactionId, ReasonCode = "CUSTOMER_RETURN" });

    /// <summary>Inspected units leave quarantine by their disposition.</summary>
    public SagaMovements Disposition(string locationId, string sku, int quantity, QuarantineDisposition disposition, string returnId) =>
        Add(new QuarantineDispositioned { SourceSystem = sourceSystem, SourceMessageId = NextId(), OccurredAt = occurredAt, Sku = sku, LocationId = locationId, Quantity = quantity, Disposition = disposition, ReturnId = returnId });

    private SagaMovements Add(StockMovement movement)
    {
        _movements.Add(movement);
        return this;
    }

    private string NextId() => $"{orderId}:{step}:{_movements.Count + 1}";
}
