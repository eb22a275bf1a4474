using MassTransit;

namespace StockSync.Persistence.Sagas;

/// <summary>
/// The columns every StockSync saga row has, so operators read every flow the same way in SQL: the correlation id,
/// the current state as a string, an integer version (the optimistic concurrency token, identical on every
/// provider), and when the row was created and last changed. A saga adds its business keys and deadline columns.
/// </summary>
public abstract class StockSyncSagaState : SagaStateMachineInstance, ISagaVersion
{
    /// <inheritdoc />
    public Guid CorrelationId { get; set; }

    /// <summary>The state machine's current state, by name.</summary>
    public string CurrentState { get; set; } = string.Empty;

    /// <summary>Incremented on every save; a concurrent writer that read an older version fails and is retried.</summary>
    public int Version { get; set; }

    /// <summary>When the instance was first saved (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the instance was last saved (UTC).</summary>
    public DateTime UpdatedAt { get; set; }
}
