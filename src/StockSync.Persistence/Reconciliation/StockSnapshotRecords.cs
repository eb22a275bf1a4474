using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;

namespace StockSync.Persistence.Reconciliation;

/// <summary>
/// A stock snapshot from a system of record (the ERP): on-hand per SKU × location at <see cref="TakenAt"/>, in
/// canonical ids and eaches (<c>stock_snapshots</c>). It arrives in parts; it is complete when every part is stored.
/// </summary>
public sealed class StockSnapshotRecord
{
    /// <summary>The snapshot's id in its source (e.g. the ERP's snapshot id or the CSV file's).</summary>
    public required string SnapshotId { get; set; }

    /// <summary>The system it came from, e.g. <c>erp</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The instant the on-hand figures are true for.</summary>
    public DateTime TakenAt { get; set; }

    /// <summary>How many parts the snapshot has.</summary>
    public int Parts { get; set; }

    /// <summary>How many parts are stored.</summary>
    public int PartsReceived { get; set; }

    /// <summary>When the first part was stored.</summary>
    public DateTime ReceivedAt { get; set; }

    /// <summary>When the last part was stored (null while parts are missing).</summary>
    public DateTime? CompletedAt { get; set; }
}

/// <summary>One SKU × location of a snapshot (<c>stock_snapshot_lines</c>).</summary>
public sealed class StockSnapshotLineRecord
{
    public required string SnapshotId { get; set; }

    public required string Sku { get; set; }

    public required string LocationId { get; set; }

    /// <summary>The part that carried the line.</summary>
    public int Part { get; set; }

    /// <summary>On-hand in eaches.</summary>
    public int OnHand { get; set; }
}

/// <summary>The position of a source's feed: how far an adapter has read it (<c>feed_cursors</c>).</summary>
public sealed class FeedCursorRecord
{
    /// <summary>The feed, e.g. <c>erp:documents</c>.</summary>
    public required string Feed { get; set; }

    /// <summary>The source's cursor (a number or a token), exactly as the source gave it.</summary>
    public required string Cursor { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class StockSnapshotMap : IEntityTypeConfiguration<StockSnapshotRecord>
{
    public void Configure(EntityTypeBuilder<StockSnapshotRecord> builder)
    {
        builder.ToTable("StockSnapshots");
        builder.HasKey(s => s.SnapshotId);
        builder.Property(s => s.SnapshotId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.Source).HasMaxLength(64);
        builder.HasIndex(s => new { s.Source, s.TakenAt });
    }
}

internal sealed class StockSnapshotLineMap : IEntityTypeConfiguration<StockSnapshotLineRecord>
{
    public void Configure(EntityTypeBuilder<StockSnapshotLineRecord> builder)
    {
        builder.ToTable("StockSnapshotLines");
        builder.HasKey(l => new { l.SnapshotId, l.Sku, l.LocationId });
        builder.Property(l => l.SnapshotId).HasMaxLength(Lengths.Id);
        builder.Property(l => l.Sku).HasMaxLength(Lengths.Id);
        builder.Property(l => l.LocationId).HasMaxLength(Lengths.Id);
        builder.HasOne<StockSnapshotRecord>().WithMany().HasForeignKey(l => l.SnapshotId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FeedCursorMap : IEntityTypeConfiguration<FeedCursorRecord>
{
    public void Configure(EntityTypeBuilder<FeedCursorRecord> builder)
    {
        builder.ToTable("FeedCursors");
        builder.HasKey(c => c.Feed);
        builder.Property(c => c.Feed).HasMaxLength(Lengths.Id);
        builder.Property(c => c.Cursor).HasMaxLength(Lengths.Id);
    }
}
