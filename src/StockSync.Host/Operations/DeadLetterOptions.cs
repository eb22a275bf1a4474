using System.ComponentModel.DataAnnotations;

namespace StockSync.Host.Operations;

/// <summary>The <c>Operations:DeadLetters</c> configuration section: the dead-letter ingestor.</summary>
public sealed class DeadLetterOptions
{
    public const string Section = "Operations:DeadLetters";

    /// <summary>
    /// Copy what reaches this host's <c>_error</c> queues into <c>dead_letters</c> (and take it off the queue). Only on
    /// RabbitMQ; on the in-memory transport the ingestor has nothing to read.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the error queues are drained.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
