using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;

namespace StockSync.Persistence.Erp;

/// <summary>The states of an ERP posting (<c>erp_postings.status</c>).</summary>
public static class ErpPostingStatus
{
    /// <summary>Queued: waiting for the dispatcher (first send, or a retry after <c>next_attempt_at</c>).</summary>
    public const string Pending = "Pending";

    /// <summary>The ERP accepted it (or reported it as already posted).</summary>
    public const string Posted = "Posted";

    /// <summary>The exception queue: the ERP refused it on every one of its attempts. An operator requeues it.</summary>
    public const string Failed = "Failed";

    /// <summary>Every status, for validation.</summary>
    public static IReadOnlyList<string> All { get; } = [Pending, Posted, Failed];
}

/// <summary>
/// One posting to the ERP (<c>erp_postings</c>), queued durably in the transaction that consumed the event it came
/// from and sent later by the ERP dispatcher, in <see cref="Sequence"/> order. <see cref="PostingId"/> is unique: a
/// repeated request for the same posting is one row.
/// </summary>
public sealed class ErpPostingRecord
{
    /// <summary>The queue order: assigned at insert, increasing.</summary>
    public long Sequence { get; set; }

    /// <summary>The posting's stable id, which the ERP uses to recognise a repeat.</summary>
    public required string PostingId { get; set; }

    /// <summary><c>Sale</c>, <c>Return</c>, <c>Adjustment</c>, <c>Shipment</c>, <c>ReturnInspection</c>, ….</summary>
    public required string Kind { get; set; }

    /// <summary>The posting document as the ERP receives it (JSON).</summary>
    public required string Payload { get; set; }

    /// <summary>One of <see cref="ErpPostingStatus"/>.</summary>
    public required string Status { get; set; }

    /// <summary>How many times the ERP answered for this posting (refusals, and the acceptance).</summary>
    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>A refused posting waits until then before its next attempt; null means now.</summary>
    public DateTime? NextAttemptAt { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    /// <summary>The last refusal, or the last reason the ERP could not be reached while this posting waited.</summary>
    public string? LastError { get; set; }

    public DateTime? PostedAt { get; set; }

    /// <summary>When it moved to the exception queue.</summary>
    public DateTime? FailedAt { get; set; }

    /// <summary>When an operator last put it back in the queue.</summary>
    public DateTime? RequeuedAt { get; set; }
}

internal sealed class ErpPostingMap : IEntityTypeConfiguration<ErpPostingRecord>
{
    public const int PostingIdLength = 300;

    public void Configure(EntityTypeBuilder<ErpPostingRecord> builder)
    {
        builder.ToTable("ErpPostings");
        builder.HasKey(p => p.Sequence);
        builder.Property(p => p.Sequence).ValueGeneratedOnAdd();
        builder.Property(p => p.PostingId).HasMaxLength(PostingIdLength);
        builder.HasIndex(p => p.PostingId).IsUnique();
        builder.Property(p => p.Kind).HasMaxLength(32);
        builder.Property(p => p.Status).HasMaxLength(16);
        builder.Property(p => p.Payload).Metadata.SetMaxLength(null);
        builder.Property(p => p.LastError).HasMaxLength(Lengths.Text);
        // What the dispatcher reads: pending rows, oldest first; and what operators list by status.
        builder.HasIndex(p => new { p.Status, p.Sequence });
    }
}
