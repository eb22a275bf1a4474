using System.Diagnostics;
using StockSync.Contracts.Inventory;
using StockSync.Inventory;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Outbox;
using StockSync.Persistence.Telemetry;

namespace StockSync.Persistence.Ledger;

/// <summary>
/// Applies a batch of movements in ONE database transaction: a set-based duplicate check, the domain decision for
/// each movement (<see cref="LedgerEngine"/>), one append-only ledger row per key changed, the processed-movement
/// ids, sequence bookkeeping, and the position updates with their new per-key versions. Either all of it commits or
/// none of it does; a concurrent writer that touched the same position makes the commit fail on the version token,
/// and the caller retries the whole batch.
/// </summary>
public sealed class LedgerBatchWriter(StockSyncDbContext db, ChannelExposure channels, TimeProvider time, StockSyncMetrics metrics)
{
    /// <summary>Applies <paramref name="movements"/> (in the given order) and returns what happened to each.</summary>
    public Task<LedgerBatchResult> ApplyAsync(IReadOnlyList<StockMovement> movements, CancellationToken cancellationToken) =>
        ApplyAsync(movements, inbox: null, beforeCommit: null, cancellationToken);

    /// <summary>
    /// Applies <paramref name="movements"/> only if every one of them applies: when any is refused, nothing is written
    /// (no ledger row, no position change) and the result lists the refusals with <see cref="LedgerBatchResult.Applied"/>
    /// at 0. Sagas use it to reserve or allocate all lines of an order, or none. Joins an open transaction like
    /// <see cref="ApplyAsync(IReadOnlyList{StockMovement}, CancellationToken)"/>.
    /// </summary>
    public Task<LedgerBatchResult> ApplyAllOrNothingAsync(IReadOnlyList<StockMovement> movements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(movements);
        return ApplyObservedAsync(movements, ct => ApplyInTransactionAsync(movements, inbox: null, beforeCommit: null, allOrNothing: true, ct), cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="movements"/> in one transaction. With an <paramref name="inbox"/>, movements whose
    /// transport message that consumer already consumed are skipped as duplicates and the others get inbox rows.
    /// <paramref name="beforeCommit"/> runs inside the transaction with the result, before the save: what it
    /// publishes through the transactional outbox commits with the ledger rows. If a transaction is already open on
    /// the context (the consumer outbox's), the writer joins it and leaves the commit to its owner.
    /// <paramref name="origins"/>: the spans the movements came from when the caller is not inside them (the ledger's
    /// partition workers): the <c>ledger apply</c> span is a child of the first and links the others.
    /// </summary>
    public async Task<LedgerBatchResult> ApplyAsync(
        IReadOnlyList<StockMovement> movements,
        LedgerInbox? inbox,
        Func<LedgerBatchResult, CancellationToken, Task>? beforeCommit,
        CancellationToken cancellationToken,
        IReadOnlyList<ActivityContext>? origins = null)
    {
        ArgumentNullException.ThrowIfNull(movements);
        if (inbox is not null && inbox.Claims.Count != movements.Count)
        {
            throw new ArgumentException("The inbox needs one message id per movement.", nameof(inbox));
        }

        return await ApplyObservedAsync(movements, ct => ApplyInTransactionAsync(movements, inbox, beforeCommit, allOrNothing: false, ct), cancellationToken, origins).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one apply in its transaction inside a <c>ledger apply</c> span, and counts what it did once the work is
    /// saved (after the commit when the writer owns the transaction, so a retried attempt is counted once).
    /// </summary>
    private async Task<LedgerBatchResult> ApplyObservedAsync(
        IReadOnlyList<StockMovement> movements,
        Func<CancellationToken, Task<LedgerBatchResult>> apply,
        CancellationToken cancellationToken,
        IReadOnlyList<ActivityContext>? origins = null)
    {
        // With no origins the parent is the ambient span (a default parent context means Activity.Current).
        using var activity = StockSyncTelemetry.ActivitySource.StartActivity(
            "ledger apply",
            ActivityKind.Internal,
            origins is [var first, ..] ? first : default,
            links: origins is { Count: > 1 } ? origins.Skip(1).Select(o => new ActivityLink(o)) : null);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("stocksync.movements", movements.Count);
            if (movements.Select(m => (m.Sku, m.LocationId)).Distinct().Take(2).Count() == 1)
            {
                activity.SetTag(StockSyncTelemetry.Tags.Sku, movements[0].Sku);
                activity.SetTag(StockSyncTelemetry.Tags.LocationId, movements[0].LocationId);
            }
        }

        var result = await db.InTransactionAsync(apply, cancellationToken).ConfigureAwait(false);
        metrics.MovementsApplied(result.MovementsApplied?.Movements.Select(m => m.MovementType) ?? []);
        metrics.DuplicatesDropped(result.DuplicateIndexes.Count);
        metrics.SequenceGapsDetected(result.GapsOpened);
        activity?.SetTag("stocksync.applied", result.Applied);
        activity?.SetTag("stocksync.duplicates", result.DuplicateIndexes.Count);
        activity?.SetTag("stocksync.refused", result.Rejections.Count);
        return result;
    }

    private async Task<LedgerBatchResult> ApplyInTransactionAsync(
        IReadOnlyList<StockMovement> movements, LedgerInbox? inbox, Func<LedgerBatchResult, CancellationToken, Task>? beforeCommit, bool allOrNothing, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var alreadyConsumed = inbox is null
            ? null
            : await InboxBook.ClaimAsync(db, [.. inbox.Claims.OfType<InboxClaim>()], now.UtcDateTime, ct).ConfigureAwait(false);
        var state = await BatchLedgerState.LoadAsync(db, movements, ct).ConfigureAwait(false);
        var sequences = await SequenceBook.LoadAsync(db, movements, ct).ConfigureAwait(false);
        var outcomes = new MovementOutcome[movements.Count];
        var duplicates = new List<int>();
        var newestOccurred = new Dictionary<StockKey, DateTimeOffset>();
        var processedRows = new List<ProcessedMovementRecord>();
        var ledgerRows = new List<LedgerEntryRecord>();

        for (var i = 0; i < movements.Count; i++)
        {
            var movement = movements[i];
            if (alreadyConsumed is not null && inbox!.Claims[i] is { } claim && alreadyConsumed.Contains((claim.ConsumerId, claim.MessageId)))
            {
                duplicates.Add(i);
                continue;
            }

            var fingerprint = MovementFingerprint.Of(movement);
            switch (state.TryClaim(movement, fingerprint, out var appliedFingerprint))
            {
                case Claim.Duplicate:
                    duplicates.Add(i);
                    continue;
                case Claim.Conflict:
                    // The claim stays with the movement applied first; this one is refused and never applied.
                    outcomes[i] = MovementFingerprint.Conflict(movement, appliedFingerprint!, fingerprint);
                    continue;
            }

            sequences.Observe(movement);
            var outcome = LedgerEngine.Decide(movement, state);
            outcomes[i] = outcome;
            if (outcome is not MovementOutcome.Applied applied)
            {
                state.Release(movement);
                continue;
            }

            processedRows.Add(new ProcessedMovementRecord
            {
                SourceSystem = movement.SourceSystem,
                SourceMessageId = movement.SourceMessageId,
                MovementType = movement.GetType().Name,
                Fingerprint = fingerprint,
                ProcessedAt = now.UtcDateTime,
            });
            foreach (var change in applied.Changes)
            {
                state.Record(change, movement);
                ledgerRows.Add(ToLedgerRow(movement, change, now));
                newestOccurred[change.Key] = Max(newestOccurred.GetValueOrDefault(change.Key), movement.OccurredAt);
            }
        }

        var rejections = outcomes
            .Select((outcome, index) => (outcome, index))
            .Where(x => x.outcome is MovementOutcome.Rejected)
            .Select(x => new LedgerRejection(x.index, movements[x.index], (MovementOutcome.Rejected)x.outcome))
            .ToList();
        if (allOrNothing && rejections.Count > 0)
        {
            // Nothing was added to the context: the decisions above only touched the in-memory batch state.
            return new LedgerBatchResult(Applied: 0, DuplicateIndexes: duplicates, Rejections: rejections, AvailabilityChanges: [], GapsOpened: [], MovementsApplied: null);
        }

        db.ProcessedMovements.AddRange(processedRows);
        db.LedgerEntries.AddRange(ledgerRows);
        var changedPositions = state.WriteChangedPositions(now);
        var gaps = sequences.Write(now);

        var availability = changedPositions
            .Select(p => ToAvailabilityChanged(p, newestOccurred[new StockKey(p.Sku, p.LocationId)], now))
            .ToList();
        var appliedMovements = movements.Where((_, i) => outcomes[i] is MovementOutcome.Applied).ToList();
        var result = new LedgerBatchResult(
            Applied: appliedMovements.Count,
            DuplicateIndexes: duplicates,
            Rejections: rejections,
            AvailabilityChanges: availability,
            GapsOpened: gaps,
            MovementsApplied: AppliedMovements.Event(appliedMovements, now));
        if (beforeCommit is not null)
        {
            await beforeCommit(result, ct).ConfigureAwait(false);
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return result;
    }

    private AvailabilityChanged ToAvailabilityChanged(PositionRecord record, DateTimeOffset newestOccurred, DateTimeOffset now)
    {
        var position = record.ToDomain();
        var key = new StockKey(record.Sku, record.LocationId);
        return new AvailabilityChanged
        {
            Sku = record.Sku,
            LocationId = record.LocationId,
            Version = record.Version,
            OnHand = position.OnHand,
            Reserved = position.Reserved,
            Allocated = position.Allocated,
            Damaged = position.Damaged,
            Quarantine = position.Quarantine,
            SafetyStock = position.SafetyStock,
            InTransit = position.InTransit,
            AvailableToSell = position.AvailableToSell,
            Channels = channels.For(key, position),
            LatestMovementOccurredAt = newestOccurred,
            ChangedAt = now,
        };
    }

    private static LedgerEntryRecord ToLedgerRow(StockMovement movement, PositionChange change, DateTimeOffset now)
    {
        var row = new LedgerEntryRecord
        {
            Sku = change.Key.Sku,
            LocationId = change.Key.LocationId,
            MovementType = movement.GetType().Name,
            SourceSystem = movement.SourceSystem,
            SourceMessageId = movement.SourceMessageId,
            SourceSequence = movement.SourceSequence,
            ReasonCode = movement.ReasonCode,
            OccurredAt = movement.OccurredAt.UtcDateTime,
            AppliedAt = now.UtcDateTime,
            Note = change.Note,
        };
        row.SetDelta(change.Delta);
        return row;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>
/// The inbox of the movements of one apply: for each movement, in the order of the movements, the consumer that took
/// its transport message and the message id, or null for a movement whose consumer keeps its own inbox (the isolated
/// queue's). One apply may serve several consumers (the ledger's partitions apply the batches of every movement type
/// together).
/// </summary>
public sealed record LedgerInbox(IReadOnlyList<InboxClaim?> Claims)
{
    /// <summary>The inbox of one consumer's batch.</summary>
    public static LedgerInbox Of(Guid consumerId, string consumer, IEnumerable<Guid> messageIds) =>
        new([.. messageIds.Select(id => new InboxClaim(consumerId, consumer, id))]);
}

/// <summary>
/// What a batch did. Indexes refer to the order of the movements passed in. <see cref="MovementsApplied"/> lists the
/// movements that took effect (null when none did); the caller publishes it with the availability changes.
/// </summary>
public sealed record LedgerBatchResult(
    int Applied,
    IReadOnlyList<int> DuplicateIndexes,
    IReadOnlyList<LedgerRejection> Rejections,
    IReadOnlyList<AvailabilityChanged> AvailabilityChanges,
    IReadOnlyList<SequenceGapDetected> GapsOpened,
    MovementsApplied? MovementsApplied);

/// <summary>A movement of the batch that was refused, with the reason.</summary>
public sealed record LedgerRejection(int Index, StockMovement Movement, MovementOutcome.Rejected Outcome);
