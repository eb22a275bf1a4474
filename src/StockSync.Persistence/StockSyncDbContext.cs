using Microsoft.EntityFrameworkCore;
using StockSync.Persistence.Configuration;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Sagas;

namespace StockSync.Persistence;

/// <summary>
/// The StockSync database: catalogue, positions, the append-only ledger and idempotency bookkeeping.
/// The model is provider-neutral; each provider has its own migrations assembly.
/// </summary>
public class StockSyncDbContext(DbContextOptions<StockSyncDbContext> options) : DbContext(options)
{
    public DbSet<ItemRecord> Items => Set<ItemRecord>();

    public DbSet<LocationRecord> Locations => Set<LocationRecord>();

    public DbSet<PositionRecord> Positions => Set<PositionRecord>();

    public DbSet<LedgerEntryRecord> LedgerEntries => Set<LedgerEntryRecord>();

    public DbSet<ProcessedMovementRecord> ProcessedMovements => Set<ProcessedMovementRecord>();

    public DbSet<SourceSequenceRecord> SourceSequences => Set<SourceSequenceRecord>();

    public DbSet<SequenceGapRecord> SequenceGaps => Set<SequenceGapRecord>();

    public DbSet<DeadlineClaimRecord> DeadlineClaims => Set<DeadlineClaimRecord>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Every instant is stored as UTC and read back as UTC on every provider.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(Lengths.Id);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StockSyncDbContext).Assembly);
        modelBuilder.ApplySagaMaps(options);
        modelBuilder.UseSnakeCaseNames();
    }
}
