using MassTransit;
using StockSync.Contracts.Inventory;
using StockSync.Persistence.Ledger;

namespace StockSync.Sagas;

/// <summary>
/// The sagas' door to the ledger. Every quantity effect of an order flow is a canonical movement applied here, inside
/// the saga's own transaction (the consumer outbox's): the saga's state, the ledger rows, the positions and the
/// <see cref="AvailabilityChanged"/> events commit together or not at all. Movements get ids derived from the order and
/// a step counter on the saga row, so the ledger's audit trail reads as the order's history.
/// </summary>
public sealed class SagaLedger(LedgerBatchWriter writer, TimeProvider time)
{
    /// <summary>
    /// Applies movements that must apply (releases, shipments): a refusal means the ledger and the saga disagree, which
    /// is a fault with the reason (the message goes to the error queue, and can be replayed once corrected).
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
            throw new SagaLedgerException(string.Join("; ", result.Rejections.Select(r => r.Outcome.Reason)));
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

    private SagaMovements Add(StockMovement movement)
    {
        _movements.Add(movement);
        return this;
    }

    private string NextId() => $"{orderId}:{step}:{_movements.Count + 1}";
}
