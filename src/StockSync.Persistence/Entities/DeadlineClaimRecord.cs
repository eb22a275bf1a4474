namespace StockSync.Persistence.Entities;

/// <summary>
/// A due deadline of one saga instance that a sweeper turned into an event. The key makes it exclusive across
/// replicas: the claim row and the deadline event's outbox row are written in one transaction, so whoever inserts
/// the row is the only one that publishes, and a crash in between leaves neither. The rows double as the history of
/// fired deadlines.
/// </summary>
public sealed class DeadlineClaimRecord
{
    /// <summary>The saga, by its table name.</summary>
    public required string Saga { get; set; }

    public Guid CorrelationId { get; set; }

    /// <summary>The deadline, by its column name.</summary>
    public required string Deadline { get; set; }

    /// <summary>The deadline's value when it was claimed (UTC): a moved deadline is a new claim.</summary>
    public DateTime DueAt { get; set; }

    public required string ClaimedBy { get; set; }

    public DateTime ClaimedAt { get; set; }

    /// <summary>The message id of the deadline event (its row in <c>outbox_messages</c> until cleanup).</summary>
    public Guid? MessageId { get; set; }
}
