using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using StockSync.Persistence;

namespace StockSync.Sagas;

/// <summary>
/// Reads the operators' SQL views (<c>ops_sagas_by_state</c>, <c>ops_saga_instances</c>, <c>ops_sagas_stuck</c>,
/// <c>ops_deadlines</c>, <c>ops_deadlines_due</c>) for the ops API and the CLI, so they answer exactly what an operator
/// reads in SQL. The views are the same on every provider (the migrations create them); the statements here are plain
/// SQL over them with standard quoted aliases, composed with LINQ for filters and order.
/// </summary>
public sealed class OperatorQueries(StockSyncDbContext db)
{
    /// <summary>The most rows one query returns.</summary>
    public const int MaxLimit = 1000;

    private static readonly JsonSerializerOptions RowJson = new(JsonSerializerDefaults.Web);

    /// <summary>The saga tables the views cover (the <c>saga</c> value of every row).</summary>
    public IReadOnlyList<string> SagaNames =>
        [.. SagaEntityTypes().Select(e => e.GetTableName()!).Order(StringComparer.Ordinal)];

    /// <summary>Instance counts per saga and state.</summary>
    public async Task<IReadOnlyList<SagaStateCount>> SagasByStateAsync(CancellationToken ct)
    {
        var rows = await db.Database.SqlQueryRaw<SagaStateCount>(
                """
                SELECT saga AS "Saga", current_state AS "CurrentState", CAST(instances AS BIGINT) AS "Instances",
                       oldest_change_at AS "OldestChangeAt", newest_change_at AS "NewestChangeAt"
                FROM ops_sagas_by_state
                """)
            .OrderBy(x => x.Saga).ThenBy(x => x.CurrentState)
            .ToListAsync(ct).ConfigureAwait(false);
        return [.. rows.Select(r => r with { OldestChangeAt = Utc(r.OldestChangeAt), NewestChangeAt = Utc(r.NewestChangeAt) })];
    }

    /// <summary>Saga instances, the latest change first, filtered by saga and state.</summary>
    public async Task<IReadOnlyList<SagaInstanceRow>> SagasAsync(string? saga, string? state, int limit, CancellationToken ct)
    {
        var rows = Instances();
        if (saga is not null)
        {
            rows = rows.Where(x => x.Saga == saga);
        }

        if (state is not null)
        {
            rows = rows.Where(x => x.CurrentState == state);
        }

        var found = await rows.OrderByDescending(x => x.UpdatedAt).Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return [.. found.Select(Normalised)];
    }

    /// <summary>Instances unchanged for longer than their threshold in <c>ops_stuck_thresholds</c>, the longest first.</summary>
    public async Task<IReadOnlyList<StuckSagaRow>> StuckAsync(string? saga, int limit, CancellationToken ct)
    {
        var rows = db.Database.SqlQueryRaw<StuckSagaRow>(
            """
            SELECT saga AS "Saga", correlation_id AS "CorrelationId", current_state AS "CurrentState", updated_at AS "UpdatedAt",
                   CAST(seconds_in_state AS BIGINT) AS "SecondsInState", CAST(stuck_after_seconds AS BIGINT) AS "StuckAfterSeconds"
            FROM ops_sagas_stuck
            """);
        if (saga is not null)
        {
            rows = rows.Where(x => x.Saga == saga);
        }

        var found = await rows.OrderByDescending(x => x.SecondsInState).Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return [.. found.Select(r => r with { UpdatedAt = Utc(r.UpdatedAt) })];
    }

    /// <summary>
    /// Pending deadlines, the earliest first: every one, or (<paramref name="dueOnly"/>) only those that have passed,
    /// with when the sweeper fired them (null: not yet).
    /// </summary>
    public async Task<IReadOnlyList<DeadlineRow>> DeadlinesAsync(bool dueOnly, string? saga, int limit, CancellationToken ct)
    {
        var rows = dueOnly
            ? db.Database.SqlQueryRaw<DeadlineRow>(
                """
                SELECT saga AS "Saga", correlation_id AS "CorrelationId", current_state AS "CurrentState", deadline AS "Deadline",
                       due_at AS "DueAt", CAST(seconds_overdue AS BIGINT) AS "SecondsOverdue", fired_at AS "FiredAt"
                FROM ops_deadlines_due
                """)
            : db.Database.SqlQueryRaw<DeadlineRow>(
                """
                SELECT d.saga AS "Saga", d.correlation_id AS "CorrelationId", d.current_state AS "CurrentState", d.deadline AS "Deadline",
                       d.due_at AS "DueAt", CAST(d.seconds_overdue AS BIGINT) AS "SecondsOverdue", u.fired_at AS "FiredAt"
                FROM ops_deadlines d
                LEFT JOIN ops_deadlines_due u
                  ON u.saga = d.saga AND u.correlation_id = d.correlation_id AND u.deadline = d.deadline AND u.due_at = d.due_at
                """);
        if (saga is not null)
        {
            rows = rows.Where(x => x.Saga == saga);
        }

        var found = await rows.OrderBy(x => x.DueAt).Take(limit).ToListAsync(ct).ConfigureAwait(false);
        return [.. found.Select(r => r with { DueAt = Utc(r.DueAt), FiredAt = r.FiredAt is { } f ? Utc(f) : null })];
    }

    /// <summary>
    /// Everything known about an order (or return, or marketplace order): its saga instances with their rows, the
    /// ledger movements its sagas applied (source message ids <c>{orderId}:{step}:{n}</c>), the messages its sagas
    /// published (the outbox keeps delivered ones for its retention) and its dead letters. Null when nothing is known.
    /// </summary>
    public async Task<SagaLookup?> LookupByOrderAsync(string orderId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        List<Guid> ids = [OrderIds.CorrelationIdFor(orderId), OrderIds.ReturnCorrelationIdFor(orderId)];
        var colon = orderId.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            ids.Add(OrderIds.MarketplaceCorrelationIdFor(orderId[..colon], orderId[(colon + 1)..]));
        }

        return await LookupAsync(orderId, ids, ct).ConfigureAwait(false);
    }

    /// <summary>The same as <see cref="LookupByOrderAsync"/>, from a saga's correlation id.</summary>
    public async Task<SagaLookup?> LookupByCorrelationIdAsync(Guid correlationId, CancellationToken ct)
    {
        var instance = await Instances().Where(x => x.CorrelationId == correlationId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (instance is null)
        {
            return null;
        }

        var row = await RowAsync(instance, ct).ConfigureAwait(false);
        var orderId = BusinessKey(row);
        return orderId is null
            ? await LookupAsync(null, [correlationId], ct).ConfigureAwait(false)
            : await LookupByOrderAsync(orderId, ct).ConfigureAwait(false);
    }

    private async Task<SagaLookup?> LookupAsync(string? orderId, IReadOnlyList<Guid> correlationIds, CancellationToken ct)
    {
        var found = await Instances().Where(x => correlationIds.Contains(x.CorrelationId)).ToListAsync(ct).ConfigureAwait(false);
        var instances = new List<SagaInstanceDetail>();
        foreach (var instance in found.OrderBy(x => x.CreatedAt))
        {
            var row = await RowAsync(instance, ct).ConfigureAwait(false);
            instances.Add(new(instance.Saga, instance.CorrelationId, instance.CurrentState, Utc(instance.CreatedAt), Utc(instance.UpdatedAt), row));
        }

        var ledger = orderId is null ? [] : await db.LedgerEntries.AsNoTracking()
            .Where(e => e.SourceMessageId.StartsWith(orderId + ":"))
            .OrderBy(e => e.Id).Take(MaxLimit)
            .Select(e => new OrderLedgerEntry(
                e.Id, e.Sku, e.LocationId, e.MovementType, e.SourceSystem, e.SourceMessageId, e.OnHandDelta, e.ReservedDelta,
                e.AllocatedDelta, e.QuarantineDelta, e.DamagedDelta, e.OccurredAt, e.AppliedAt))
            .ToListAsync(ct).ConfigureAwait(false);

        var nullableIds = correlationIds.Select(id => (Guid?)id).ToList();
        var messages = await db.OutboxMessages.AsNoTracking()
            .Where(m => nullableIds.Contains(m.CorrelationId) || nullableIds.Contains(m.ConversationId))
            .OrderBy(m => m.SequenceNumber).Take(MaxLimit)
            .Select(m => new OrderMessage(m.MessageId, m.MessageType, m.CreatedAt, m.DeliveredAt, m.Attempts, m.LastError))
            .ToListAsync(ct).ConfigureAwait(false);

        var idTexts = correlationIds.Select(id => id.ToString("D")).ToList();
        var deadLetters = await db.DeadLetters.AsNoTracking()
            .Where(d => (orderId != null && d.OrderId == orderId) || idTexts.Contains(d.CorrelationId!) || idTexts.Contains(d.ConversationId!))
            .OrderBy(d => d.Id).Take(MaxLimit)
            .Select(d => new OrderDeadLetter(d.Id, d.MessageType, d.SourceQueue, d.ExceptionType, d.ExceptionMessage, d.Status, d.FailureCount, d.LastFailedAt))
            .ToListAsync(ct).ConfigureAwait(false);

        if (instances.Count == 0 && ledger.Count == 0 && messages.Count == 0 && deadLetters.Count == 0)
        {
            return null;
        }

        return new SagaLookup(orderId, correlationIds, instances, ledger, messages, deadLetters);
    }

    /// <summary>SQLite hands view columns back without a kind; every time in these views is UTC.</summary>
    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static SagaInstanceRow Normalised(SagaInstanceRow row) => row with { CreatedAt = Utc(row.CreatedAt), UpdatedAt = Utc(row.UpdatedAt) };

    private IQueryable<SagaInstanceRow> Instances() => db.Database.SqlQueryRaw<SagaInstanceRow>(
        """
        SELECT saga AS "Saga", correlation_id AS "CorrelationId", current_state AS "CurrentState", created_at AS "CreatedAt",
               updated_at AS "UpdatedAt", CAST(seconds_in_state AS BIGINT) AS "SecondsInState"
        FROM ops_saga_instances
        """);

    private IEnumerable<IEntityType> SagaEntityTypes() =>
        db.Model.GetEntityTypes().Where(e => typeof(MassTransit.SagaStateMachineInstance).IsAssignableFrom(e.ClrType) && e.GetTableName() is not null);

    /// <summary>The saga's row, as the API shows it: every mapped property, JSON columns as JSON.</summary>
    private async Task<JsonObject?> RowAsync(SagaInstanceRow instance, CancellationToken ct)
    {
        var type = SagaEntityTypes().FirstOrDefault(e => e.GetTableName() == instance.Saga);
        if (type is null)
        {
            return null;
        }

        var entity = await db.FindAsync(type.ClrType, [instance.CorrelationId], ct).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        db.Entry(entity).State = EntityState.Detached;
        return JsonSerializer.SerializeToNode(entity, type.ClrType, RowJson) as JsonObject;
    }

    /// <summary>The order (or return) id a saga row carries.</summary>
    private static string? BusinessKey(JsonObject? row) =>
        row is null ? null
        : row.TryGetPropertyValue("orderId", out var order) && order?.GetValueKind() == JsonValueKind.String ? order.GetValue<string>()
        : row.TryGetPropertyValue("returnId", out var ret) && ret?.GetValueKind() == JsonValueKind.String ? ret.GetValue<string>()
        : null;
}

/// <summary>One row of <c>ops_sagas_by_state</c>.</summary>
public sealed record SagaStateCount
{
    public required string Saga { get; init; }

    public required string CurrentState { get; init; }

    public long Instances { get; init; }

    public DateTime OldestChangeAt { get; init; }

    public DateTime NewestChangeAt { get; init; }
}

/// <summary>One row of <c>ops_saga_instances</c>.</summary>
public sealed record SagaInstanceRow
{
    public required string Saga { get; init; }

    public Guid CorrelationId { get; init; }

    public required string CurrentState { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    public long SecondsInState { get; init; }
}

/// <summary>One row of <c>ops_sagas_stuck</c>.</summary>
public sealed record StuckSagaRow
{
    public required string Saga { get; init; }

    public Guid CorrelationId { get; init; }

    public required string CurrentState { get; init; }

    public DateTime UpdatedAt { get; init; }

    public long SecondsInState { get; init; }

    public long StuckAfterSeconds { get; init; }
}

/// <summary>One row of <c>ops_deadlines</c> (with <c>ops_deadlines_due</c>'s firing).</summary>
public sealed record DeadlineRow
{
    public required string Saga { get; init; }

    public Guid CorrelationId { get; init; }

    public required string CurrentState { get; init; }

    /// <summary>The deadline's property on the saga (for example HoldExpiresAt).</summary>
    public required string Deadline { get; init; }

    public DateTime DueAt { get; init; }

    /// <summary>Seconds since it fell due (negative: not due yet).</summary>
    public long SecondsOverdue { get; init; }

    /// <summary>When the sweeper published its event (null: not yet, or not due).</summary>
    public DateTime? FiredAt { get; init; }
}

/// <summary>What <see cref="OperatorQueries.LookupByOrderAsync"/> found.</summary>
public sealed record SagaLookup(
    string? OrderId,
    IReadOnlyList<Guid> CorrelationIds,
    IReadOnlyList<SagaInstanceDetail> Instances,
    IReadOnlyList<OrderLedgerEntry> Ledger,
    IReadOnlyList<OrderMessage> Messages,
    IReadOnlyList<OrderDeadLetter> DeadLetters);

/// <summary>A saga instance with its whole row.</summary>
public sealed record SagaInstanceDetail(string Saga, Guid CorrelationId, string CurrentState, DateTime CreatedAt, DateTime UpdatedAt, JsonObject? Row);

/// <summary>A ledger movement an order's saga applied.</summary>
public sealed record OrderLedgerEntry(
    long Id,
    string Sku,
    string LocationId,
    string MovementType,
    string SourceSystem,
    string SourceMessageId,
    int OnHandDelta,
    int ReservedDelta,
    int AllocatedDelta,
    int QuarantineDelta,
    int DamagedDelta,
    DateTime OccurredAt,
    DateTime AppliedAt);

/// <summary>A message an order's saga published (from the outbox).</summary>
public sealed record OrderMessage(Guid MessageId, string MessageType, DateTime CreatedAt, DateTime? DeliveredAt, int Attempts, string? LastError);

/// <summary>A dead letter of an order.</summary>
public sealed record OrderDeadLetter(
    long Id,
    string? MessageType,
    string SourceQueue,
    string? ExceptionType,
    string? ExceptionMessage,
    string Status,
    int FailureCount,
    DateTime LastFailedAt);
