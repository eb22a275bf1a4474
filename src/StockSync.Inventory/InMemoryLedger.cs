using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// The reference ledger: the same rules as the database ledger (it uses <see cref="LedgerEngine"/> too), held in
/// memory. Property tests use it to state the invariants; the database implementation is tested against the same ones.
/// </summary>
public sealed class InMemoryLedger : ILedgerState
{
    private readonly Dictionary<StockKey, StockPosition> _positions = [];
    private readonly List<LedgerLine> _lines = [];
    private readonly Dictionary<(string SourceSystem, string SourceMessageId), string> _applied = [];
    private readonly Func<string, bool> _isKnownSku;
    private readonly Func<string, bool> _isKnownLocation;

    /// <summary>Creates an empty ledger; by default every SKU and location is known.</summary>
    public InMemoryLedger(Func<string, bool>? isKnownSku = null, Func<string, bool>? isKnownLocation = null)
    {
        _isKnownSku = isKnownSku ?? (_ => true);
        _isKnownLocation = isKnownLocation ?? (_ => true);
    }

    /// <summary>Every ledger line recorded so far, in the order applied.</summary>
    public IReadOnlyList<LedgerLine> Lines => _lines;

    /// <summary>Every position with at least one recorded change.</summary>
    public IReadOnlyDictionary<StockKey, StockPosition> Positions => _positions;

    /// <summary>
    /// Applies one movement: a duplicate (same source system and message id, same content) is a no-op; the same id
    /// with other content is refused as <see cref="RejectionKind.ConflictingDuplicate"/>.
    /// </summary>
    public MovementOutcome Apply(StockMovement movement)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var fingerprint = MovementFingerprint.Of(movement);
        if (_applied.TryGetValue((movement.SourceSystem, movement.SourceMessageId), out var earlier))
        {
            return earlier == fingerprint ? new MovementOutcome.Applied([]) : MovementFingerprint.Conflict(movement, earlier, fingerprint);
        }

        var outcome = LedgerEngine.Decide(movement, this);
        if (outcome is MovementOutcome.Applied applied)
        {
            _applied.Add((movement.SourceSystem, movement.SourceMessageId), fingerprint);
            foreach (var change in applied.Changes)
            {
                _positions[change.Key] = change.After;
                _lines.Add(new LedgerLine(change.Key, change.Delta, movement.OccurredAt, movement.GetType().Name));
            }
        }

        return outcome;
    }

    /// <inheritdoc />
    public StockPosition GetPosition(StockKey key) => _positions.GetValueOrDefault(key, StockPosition.Empty);

    /// <inheritdoc />
    public int SumOnHandDeltasAfter(StockKey key, DateTimeOffset instant) =>
        _lines.Where(l => l.Key == key && l.OccurredAt > instant).Sum(l => l.Delta.OnHand);

    /// <inheritdoc />
    public bool IsKnownSku(string sku) => _isKnownSku(sku);

    /// <inheritdoc />
    public bool IsKnownLocation(string locationId) => _isKnownLocation(locationId);
}

/// <summary>One recorded ledger line of the in-memory ledger.</summary>
public sealed record LedgerLine(StockKey Key, BucketDelta Delta, DateTimeOffset OccurredAt, string MovementType);
