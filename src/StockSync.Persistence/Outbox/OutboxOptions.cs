using System.ComponentModel.DataAnnotations;

namespace StockSync.Persistence.Outbox;

/// <summary>The <c>Outbox</c> configuration section: inbox, outbox dispatcher and cleanup.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>
    /// Dispatcher partitions. A conversation always lands in one partition, and one replica at a time delivers a
    /// partition, in order. Change it only with an empty outbox (undelivered rows keep their old partition, which the
    /// dispatcher still serves, but ordering across the change is not guaranteed).
    /// </summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 16;

    /// <summary>Whether this replica runs the dispatcher. Off, messages stay in the outbox for other replicas (or a restart).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>
    /// The most partitions one replica delivers (0: no limit). With a limit, a second replica always has partitions
    /// left to take; without one, the first replica to start serves them all and the others stand by.
    /// </summary>
    [Range(0, 1024)]
    public int MaxPartitionsPerReplica { get; set; }

    /// <summary>
    /// How long a replica's claim on a partition lasts without renewal (renewed on every round, at least every
    /// <see cref="PollInterval"/>); another replica, or a restarted process, takes over after it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PartitionLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest the dispatcher sleeps when the outbox is empty. A commit in this process wakes it at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages read from one partition at a time.</summary>
    [Range(1, 10_000)]
    public int DispatchBatchSize { get; set; } = 500;

    /// <summary>Conversations sent in parallel within a batch (each conversation stays sequential).</summary>
    [Range(1, 1024)]
    public int SendConcurrency { get; set; } = 64;

    /// <summary>Partitions served in parallel by this replica.</summary>
    [Range(1, 64)]
    public int PartitionConcurrency { get; set; } = 4;

    /// <summary>How long one send to the broker may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest back-off between attempts at a message the broker refused. Messages are never dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a delivered outbox row is kept (for operators) before cleanup deletes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an inbox row is kept: a redelivery within this window is recognised as a duplicate.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Whether this replica runs the cleanup of delivered outbox rows and expired inbox rows.</summary>
    public bool CleanupEnabled { get; set; } = true;

    /// <summary>How often cleanup runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);
}
