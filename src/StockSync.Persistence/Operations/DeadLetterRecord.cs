using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;

namespace StockSync.Persistence.Operations;

/// <summary>The states of a dead letter (<c>dead_letters.status</c>).</summary>
public static class DeadLetterStatus
{
    /// <summary>Waiting for an operator: it faulted (first time, or again after a replay or a discard).</summary>
    public const string Open = "Open";

    /// <summary>An operator re-sent it to its queue; it has not faulted again since.</summary>
    public const string Replayed = "Replayed";

    /// <summary>An operator decided it is not to be processed, and said why.</summary>
    public const string Discarded = "Discarded";

    /// <summary>Every status, for validation.</summary>
    public static IReadOnlyList<string> All { get; } = [Open, Replayed, Discarded];
}

/// <summary>
/// A message that reached a receive endpoint's <c>_error</c> queue (<c>dead_letters</c>), copied there by the
/// dead-letter ingestor with the fault MassTransit recorded on it. One row per message and source queue: a message that
/// faults again (replayed before its cause was fixed) updates its row (<see cref="FailureCount"/>,
/// <see cref="LastFailedAt"/>, the latest exception) instead of adding one.
/// </summary>
public sealed class DeadLetterRecord
{
    /// <summary>Assigned at insert, increasing; the id operators use.</summary>
    public long Id { get; set; }

    /// <summary>The message id of the envelope (the same on every copy and every replay).</summary>
    public required string MessageId { get; set; }

    /// <summary>The message type: the envelope's first <c>messageType</c> URN.</summary>
    public string? MessageType { get; set; }

    /// <summary>The endpoint queue the message faulted on (the error queue's name without <c>_error</c>); replay sends there.</summary>
    public required string SourceQueue { get; set; }

    /// <summary>The transport message body as it reached the error queue (the MassTransit envelope).</summary>
    public required string Body { get; set; }

    /// <summary>The transport content type, kept for the replay.</summary>
    public string? ContentType { get; set; }

    /// <summary>The AMQP headers of the latest copy, as a JSON object (binary values as UTF-8 text).</summary>
    public required string Headers { get; set; }

    /// <summary>The exception's type (<c>MT-Fault-ExceptionType</c>) of the latest failure.</summary>
    public string? ExceptionType { get; set; }

    /// <summary>The exception's message (<c>MT-Fault-Message</c>) of the latest failure.</summary>
    public string? ExceptionMessage { get; set; }

    /// <summary>The stack trace (<c>MT-Fault-StackTrace</c>) of the latest failure.</summary>
    public string? StackTrace { get; set; }

    public DateTime FirstFailedAt { get; set; }

    /// <summary>The latest failure's fault timestamp; a copy no newer than this is one already recorded.</summary>
    public DateTime LastFailedAt { get; set; }

    /// <summary>How many times the message reached the error queue.</summary>
    public int FailureCount { get; set; }

    public string? CorrelationId { get; set; }

    public string? ConversationId { get; set; }

    /// <summary>The message's <c>orderId</c>, when it has one.</summary>
    public string? OrderId { get; set; }

    /// <summary>One of <see cref="DeadLetterStatus"/>.</summary>
    public required string Status { get; set; }

    public DateTime? ReplayedAt { get; set; }

    /// <summary>Who last replayed it.</summary>
    public string? ReplayedBy { get; set; }

    public int ReplayCount { get; set; }

    public DateTime? DiscardedAt { get; set; }

    public string? DiscardedBy { get; set; }

    public string? DiscardReason { get; set; }
}

internal sealed class DeadLetterMap : IEntityTypeConfiguration<DeadLetterRecord>
{
    public void Configure(EntityTypeBuilder<DeadLetterRecord> builder)
    {
        builder.ToTable("DeadLetters");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedOnAdd();
        builder.Property(d => d.MessageId).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.MessageType).HasMaxLength(DeadLetterStore.TypeLength);
        builder.Property(d => d.SourceQueue).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.Body).Metadata.SetMaxLength(null);
        builder.Property(d => d.Headers).Metadata.SetMaxLength(null);
        builder.Property(d => d.ContentType).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.ExceptionType).HasMaxLength(DeadLetterStore.TypeLength);
        builder.Property(d => d.ExceptionMessage).HasMaxLength(DeadLetterStore.ExceptionMessageLength);
        builder.Property(d => d.StackTrace).Metadata.SetMaxLength(null);
        builder.Property(d => d.CorrelationId).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.ConversationId).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.OrderId).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.Property(d => d.ReplayedBy).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.DiscardedBy).HasMaxLength(DeadLetterStore.IdLength);
        builder.Property(d => d.DiscardReason).HasMaxLength(Lengths.Text);
        // One row per message and queue (a message published to two endpoints can fault on both): the ingestor's key,
        // and what makes two replicas ingesting copies of one message at once meet on a unique index.
        builder.HasIndex(d => new { d.MessageId, d.SourceQueue }).IsUnique();
        // What operators list: open dead letters by queue.
        builder.HasIndex(d => new { d.Status, d.SourceQueue });
    }
}
