namespace StockSync.Persistence.Entities;

/// <summary>
/// One sweeper's claim on one due deadline of one saga instance. The key makes the claim exclusive across replicas:
/// whoever inserts the row publishes the deadline event. A claim whose lease ran out without
/// <see cref="PublishedAt"/> (its sweeper died) can be taken over. The rows double as the history of fired deadlines.
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

    public DateTime LeaseUntil { get; set; }

    public DateTime? PublishedAt { get; set; }
}
