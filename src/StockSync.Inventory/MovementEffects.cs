using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// What each canonical movement does to the buckets. This table is the whole of the stock arithmetic; absolute
/// counts (<see cref="StockCounted"/>) are not deltas and are handled by <see cref="LedgerEngine"/>.
/// </summary>
public static class MovementEffects
{
    /// <summary>The bucket deltas a delta movement applies, per key (a transfer shipment touches two keys).</summary>
    /// <exception cref="ArgumentException">The movement is an absolute count or an unknown type.</exception>
    public static IReadOnlyList<(StockKey Key, BucketDelta Delta)> DeltasOf(StockMovement movement)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var key = new StockKey(movement.Sku, movement.LocationId);
        var q = movement.Quantity;
        return movement switch
        {
            SaleRecorded => [(key, new(OnHand: -q))],
            ReturnReceived => [(key, new(OnHand: q, Quarantine: q))],
            ReceiptPosted => [(key, new(OnHand: q))],
            InventoryAdjusted adjusted => [(key, BucketDelta.Of(adjusted.Bucket, q))],
            TransferShipped shipped =>
            [
                (key, new(OnHand: -q)),
                (new StockKey(movement.Sku, shipped.DestinationLocationId), new(InTransit: q)),
            ],
            TransferReceived => [(key, new(OnHand: q, InTransit: -q))],
            StockReserved => [(key, new(Reserved: q))],
            ReservationReleased => [(key, new(Reserved: -q))],
            ReservationCommitted => [(key, new(Reserved: -q, Allocated: q))],
            FulfillmentShipped => [(key, new(OnHand: -q, Allocated: -q))],
            AllocationReleased => [(key, new(Allocated: -q))],
            UnitsQuarantined => [(key, new(Quarantine: q))],
            QuarantineDispositioned d => [(key, DispositionDelta(d.Disposition, q))],
            _ => throw new ArgumentException(
                $"{movement.GetType().Name} is not a delta movement.", nameof(movement)),
        };
    }

    private static BucketDelta DispositionDelta(QuarantineDisposition disposition, int q) => disposition switch
    {
        QuarantineDisposition.Restock => new(Quarantine: -q),
        QuarantineDisposition.Damaged => new(Quarantine: -q, Damaged: q),
        QuarantineDisposition.ReturnToVendor or QuarantineDisposition.Dispose => new(OnHand: -q, Quarantine: -q),
        _ => throw new ArgumentOutOfRangeException(nameof(disposition), disposition, "Unknown disposition."),
    };
}
