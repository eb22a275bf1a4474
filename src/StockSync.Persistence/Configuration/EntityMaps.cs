using StockSync.Inventory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Configuration;

internal sealed class ItemMap : IEntityTypeConfiguration<ItemRecord>
{
    public void Configure(EntityTypeBuilder<ItemRecord> builder)
    {
        builder.ToTable("Items");
        builder.HasKey(i => i.Sku);
        builder.Property(i => i.Description).HasMaxLength(Lengths.Text);
    }
}

internal sealed class LocationMap : IEntityTypeConfiguration<LocationRecord>
{
    public void Configure(EntityTypeBuilder<LocationRecord> builder)
    {
        builder.ToTable("Locations");
        builder.HasKey(l => l.LocationId);
        builder.Property(l => l.Name).HasMaxLength(Lengths.Text);
        builder.Property(l => l.Kind).HasMaxLength(32);
        builder.Property(l => l.SourcingPriority).HasDefaultValue(100);
    }
}

internal sealed class PositionMap : IEntityTypeConfiguration<PositionRecord>
{
    public void Configure(EntityTypeBuilder<PositionRecord> builder)
    {
        builder.ToTable("Positions");
        builder.HasKey(p => new { p.Sku, p.LocationId });
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.LocationId);
    }
}

internal sealed class LedgerEntryMap : IEntityTypeConfiguration<LedgerEntryRecord>
{
    public void Configure(EntityTypeBuilder<LedgerEntryRecord> builder)
    {
        builder.ToTable("LedgerEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.MovementType).HasMaxLength(64);
        builder.Property(e => e.Note).HasMaxLength(Lengths.Text);
        builder.Ignore(e => e.Delta);
        builder.HasIndex(e => new { e.Sku, e.LocationId, e.OccurredAt });
        builder.HasIndex(e => new { e.SourceSystem, e.SourceMessageId });
    }
}

internal sealed class ProcessedMovementMap : IEntityTypeConfiguration<ProcessedMovementRecord>
{
    public void Configure(EntityTypeBuilder<ProcessedMovementRecord> builder)
    {
        builder.ToTable("ProcessedMovements");
        builder.HasKey(p => new { p.SourceSystem, p.SourceMessageId });
        builder.Property(p => p.MovementType).HasMaxLength(64);
        builder.Property(p => p.Fingerprint).HasMaxLength(MovementFingerprint.Length);
    }
}

internal sealed class SourceSequenceMap : IEntityTypeConfiguration<SourceSequenceRecord>
{
    public void Configure(EntityTypeBuilder<SourceSequenceRecord> builder)
    {
        builder.ToTable("SourceSequences");
        builder.HasKey(s => s.SourceSystem);
        builder.Property(s => s.Version).IsConcurrencyToken();
    }
}

internal sealed class SequenceGapMap : IEntityTypeConfiguration<SequenceGapRecord>
{
    public void Configure(EntityTypeBuilder<SequenceGapRecord> builder)
    {
        builder.ToTable("SequenceGaps");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Id).ValueGeneratedOnAdd();
        builder.HasIndex(g => g.SourceSystem);
    }
}

internal sealed class DeadlineClaimMap : IEntityTypeConfiguration<DeadlineClaimRecord>
{
    public void Configure(EntityTypeBuilder<DeadlineClaimRecord> builder)
    {
        builder.ToTable("DeadlineClaims");
        builder.HasKey(c => new { c.Saga, c.CorrelationId, c.Deadline, c.DueAt });
        builder.Property(c => c.Saga).HasMaxLength(64);
        builder.Property(c => c.Deadline).HasMaxLength(64);
        builder.HasIndex(c => c.ClaimedAt);
    }
}

internal sealed class InboxStateMap : IEntityTypeConfiguration<InboxStateRecord>
{
    public void Configure(EntityTypeBuilder<InboxStateRecord> builder)
    {
        builder.ToTable("InboxStates");
        builder.HasKey(i => new { i.MessageId, i.ConsumerId });
        builder.Property(i => i.Consumer).HasMaxLength(256);
        builder.HasIndex(i => i.ConsumedAt);
    }
}

internal sealed class OutboxMessageMap : IEntityTypeConfiguration<OutboxMessageRecord>
{
    public void Configure(EntityTypeBuilder<OutboxMessageRecord> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.HasKey(m => m.SequenceNumber);
        builder.Property(m => m.SequenceNumber).ValueGeneratedOnAdd();
        foreach (var address in new[] { nameof(OutboxMessageRecord.SourceAddress), nameof(OutboxMessageRecord.DestinationAddress), nameof(OutboxMessageRecord.ResponseAddress), nameof(OutboxMessageRecord.FaultAddress) })
        {
            builder.Property(address).HasMaxLength(Lengths.Address);
        }

        builder.Property(m => m.MessageType).HasMaxLength(Lengths.Text);
        builder.Property(m => m.ContentType).HasMaxLength(Lengths.Id);
        builder.Property(m => m.Body).Metadata.SetMaxLength(null);
        builder.Property(m => m.Headers).Metadata.SetMaxLength(null);
        builder.Property(m => m.Properties).Metadata.SetMaxLength(null);
        builder.Property(m => m.LastError).HasMaxLength(Lengths.Text);
        // What the dispatcher reads: a partition's undelivered rows, oldest first.
        builder.HasIndex(m => new { m.Partition, m.DeliveredAt, m.SequenceNumber });
        // What the cleanup deletes.
        builder.HasIndex(m => m.DeliveredAt);
        builder.HasIndex(m => new { m.InboxMessageId, m.InboxConsumerId });
    }
}

internal sealed class OutboxPartitionMap : IEntityTypeConfiguration<OutboxPartitionRecord>
{
    public void Configure(EntityTypeBuilder<OutboxPartitionRecord> builder)
    {
        builder.ToTable("OutboxPartitions");
        builder.HasKey(p => p.Partition);
        builder.Property(p => p.Partition).ValueGeneratedNever();
    }
}

internal sealed class OpsStuckThresholdMap : IEntityTypeConfiguration<StockSync.Persistence.Operations.OpsStuckThresholdRecord>
{
    public void Configure(EntityTypeBuilder<StockSync.Persistence.Operations.OpsStuckThresholdRecord> builder)
    {
        builder.ToTable("OpsStuckThresholds");
        builder.HasKey(t => new { t.Saga, t.CurrentState });
        builder.Property(t => t.Saga).HasMaxLength(64);
        builder.Property(t => t.CurrentState).HasMaxLength(64);
    }
}
