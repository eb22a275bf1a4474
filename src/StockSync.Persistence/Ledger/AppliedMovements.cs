using StockSync.Contracts.Inventory;

namespace StockSync.Persistence.Ledger;

/// <summary>Builds the <see cref="MovementsApplied"/> event of a ledger transaction from the movements it applied.</summary>
internal static class AppliedMovements
{
    public static MovementsApplied? Event(IReadOnlyList<StockMovement> applied, DateTimeOffset now) =>
        applied.Count == 0 ? null : new MovementsApplied { Movements = [.. applied.Select(From)], AppliedAt = now };

    public static AppliedMovement From(StockMovement movement) => new()
    {
        MovementType = movement.GetType().Name,
        SourceSystem = movement.SourceSystem,
        SourceMessageId = movement.SourceMessageId,
        SourceSequence = movement.SourceSequence,
        OccurredAt = movement.OccurredAt,
        Sku = movement.Sku,
        LocationId = movement.LocationId,
        Quantity = movement.Quantity,
        ReasonCode = movement.ReasonCode,
        Bucket = (movement as InventoryAdjusted)?.Bucket,
        Disposition = (movement as QuarantineDispositioned)?.Disposition,
        OtherLocationId = movement switch
        {
            TransferShipped t => t.DestinationLocationId,
            TransferReceived t => t.OriginLocationId,
            _ => null,
        },
        Reference = movement switch
        {
            SaleRecorded s => s.TransactionId,
            ReturnReceived r => r.ReturnId,
            ReceiptPosted r => r.PurchaseOrderId,
            TransferShipped t => t.TransferId,
            TransferReceived t => t.TransferId,
            StockReserved r => r.ReservationId,
            ReservationReleased r => r.ReservationId,
            ReservationCommitted r => r.OrderId,
            FulfillmentShipped f => f.ShipmentId ?? f.OrderId,
            AllocationReleased a => a.OrderId,
            UnitsQuarantined q => q.ReturnId,
            QuarantineDispositioned q => q.ReturnId,
            _ => null,
        },
    };
}
