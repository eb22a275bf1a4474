using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// What the engine needs to know about the current state: positions, the catalogue, and the ledger's OnHand
/// deltas after a given instant (for as-of counts). The in-memory ledger and the database batch both implement it.
/// </summary>
public interface ILedgerState
{
    /// <summary>The current position, or <see cref="StockPosition.Empty"/> when the key has none yet.</summary>
    StockPosition GetPosition(StockKey key);

    /// <summary>The sum of the OnHand deltas already recorded for <paramref name="key"/> that occurred strictly after <paramref name="instant"/>.</summary>
    int SumOnHandDeltasAfter(StockKey key, DateTimeOffset instant);

    /// <summary>True when the SKU is in the item master.</summary>
    bool IsKnownSku(string sku);

    /// <summary>True when the location is in the location master.</summary>
    bool IsKnownLocation(string locationId);
}

/// <summary>
/// Decides what one movement does to the positions: validation, catalogue checks, the as-of rule for counts and
/// for late deltas, the never-negative rule, and the no-oversell rule for reservations. It changes nothing itself:
/// the caller records the returned changes (ledger rows and new positions) atomically.
/// </summary>
public static class LedgerEngine
{
    /// <summary>Decides the outcome of applying <paramref name="movement"/> to <paramref name="state"/>.</summary>
    public static MovementOutcome Decide(StockMovement movement, ILedgerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = MovementValidator.Validate(movement);
        if (problems.Count > 0)
        {
            return new MovementOutcome.Rejected(RejectionKind.Invalid, string.Join("; ", problems));
        }

        var unknown = UnknownReferences(movement, state);
        if (unknown is not null)
        {
            return new MovementOutcome.Rejected(RejectionKind.UnknownReference, unknown);
        }

        return movement is StockCounted count ? DecideCount(count, state) : DecideDeltas(movement, state);
    }

    private static string? UnknownReferences(StockMovement movement, ILedgerState state)
    {
        if (!state.IsKnownSku(movement.Sku))
        {
            return $"Unknown SKU '{movement.Sku}': it is not in the item master.";
        }

        string[] locations = movement switch
        {
            TransferShipped s => [s.LocationId, s.DestinationLocationId],
            TransferReceived r => [r.LocationId, r.OriginLocationId],
            _ => [movement.LocationId],
        };
        var missing = locations.FirstOrDefault(l => !state.IsKnownLocation(l));
        return missing is null ? null : $"Unknown location '{missing}': it is not in the location master.";
    }

    private static MovementOutcome DecideCount(StockCounted count, ILedgerState state)
    {
        var key = new StockKey(count.Sku, count.LocationId);
        var before = state.GetPosition(key);
        if (before.CountedAsOf is { } countedAsOf && countedAsOf >= count.OccurredAt)
        {
            var note = $"Stale count: the position was already counted as of {countedAsOf:O}; recorded, not applied.";
            return new MovementOutcome.Applied([new PositionChange(key, before, before, BucketDelta.None, note)]);
        }

        var later = state.SumOnHandDeltasAfter(key, count.OccurredAt);
        var onHand = count.Quantity + later;
        if (onHand < 0)
        {
            return new MovementOutcome.Rejected(
                RejectionKind.NegativeBucket,
                $"The count of {count.Quantity} as of {count.OccurredAt:O} plus {later} in later movements would leave OnHand at {onHand} for {key}.");
        }

        var delta = new BucketDelta(OnHand: onHand - before.OnHand);
        var after = before.Apply(delta) with { CountedAsOf = count.OccurredAt };
        var countNote = later == 0 ? null : $"Count {count.Quantity} plus {later} from movements after {count.OccurredAt:O}.";
        return new MovementOutcome.Applied([new PositionChange(key, before, after, delta, countNote)]);
    }

    private static MovementOutcome DecideDeltas(StockMovement movement, ILedgerState state)
    {
        var changes = new List<PositionChange>(2);
        foreach (var (key, rawDelta) in MovementEffects.DeltasOf(movement))
        {
            var before = state.GetPosition(key);
            var (delta, note) = WithoutCountedOnHand(rawDelta, before, movement.OccurredAt);

            if (movement is StockReserved && before.AvailableToSell < movement.Quantity)
            {
                return new MovementOutcome.Rejected(
                    RejectionKind.InsufficientAvailable,
                    $"Cannot reserve {movement.Quantity} of {key}: only {before.AvailableToSell} available to sell.");
            }

            var after = before.Apply(delta);
            if (after.FirstNegativeBucket() is { } bucket)
            {
                return new MovementOutcome.Rejected(
                    RejectionKind.NegativeBucket,
                    $"{movement.GetType().Name} of {movement.Quantity} would drive {bucket} negative for {key} (it is {before[bucket]}).");
            }

            changes.Add(new PositionChange(key, before, after, delta, note));
        }

        return new MovementOutcome.Applied(changes);
    }

    /// <summary>
    /// A delta that occurred at or before the position's latest count is already inside that count for OnHand,
    /// so its OnHand part is dropped; its other buckets (reservations, quarantine…) still apply.
    /// </summary>
    private static (BucketDelta Delta, string? Note) WithoutCountedOnHand(BucketDelta delta, StockPosition position, DateTimeOffset occurredAt)
    {
        if (delta.OnHand == 0 || position.CountedAsOf is not { } countedAsOf || occurredAt > countedAsOf)
        {
            return (delta, null);
        }

        var note = $"OnHand {delta.OnHand:+#;-#} already inside the count as of {countedAsOf:O}; not applied again.";
        return (delta with { OnHand = 0 }, note);
    }
}

/// <summary>What applying one movement does.</summary>
public abstract record MovementOutcome
{
    private MovementOutcome()
    {
    }

    /// <summary>The movement applies: one change per key it touches (the caller writes one ledger row per change).</summary>
    public sealed record Applied(IReadOnlyList<PositionChange> Changes) : MovementOutcome;

    /// <summary>The movement cannot apply; nothing changes. The reason names the key, the bucket and the figures.</summary>
    public sealed record Rejected(RejectionKind Kind, string Reason) : MovementOutcome;
}

/// <summary>Why a movement was refused.</summary>
public enum RejectionKind
{
    /// <summary>The movement is malformed (missing ids, bad quantity, …).</summary>
    Invalid,

    /// <summary>The SKU or a location is not in the master data.</summary>
    UnknownReference,

    /// <summary>A bucket would go below zero.</summary>
    NegativeBucket,

    /// <summary>A reservation asks for more than is available to sell.</summary>
    InsufficientAvailable,

    /// <summary>The movement's id was applied before with different content (see <see cref="MovementFingerprint"/>).</summary>
    ConflictingDuplicate,
}

/// <summary>One key's position before and after a movement, and the delta that was recorded for it.</summary>
public sealed record PositionChange(StockKey Key, StockPosition Before, StockPosition After, BucketDelta Delta, string? Note);
