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

    public DbSet<InboxStateRecord> InboxStates => Set<InboxStateRecord>();

    public DbSet<OutboxMessageRecord> OutboxMessages => Set<OutboxMessageRecord>();

    public DbSet<OutboxPartitionRecord> OutboxPartitions => Set<OutboxPartitionRecord>();

    public DbSet<Operations.OpsStuckThresholdRecord> OpsStuckThresholds => Set<Operations.OpsStuckThresholdRecord>();

    /// <summary>The ERP postings queue and its exception queue (status <c>Failed</c>).</summary>
    public DbSet<Erp.ErpPostingRecord> ErpPostings => Set<Erp.ErpPostingRecord>();

    /// <summary>Leases on jobs one replica at a time runs (the ERP postings dispatcher).</summary>
    public DbSet<Leases.DispatcherLeaseRecord> DispatcherLeases => Set<Leases.DispatcherLeaseRecord>();

    /// <summary>Messages that reached an <c>_error</c> queue, copied by the dead-letter ingestor.</summary>
    public DbSet<Operations.DeadLetterRecord> DeadLetters => Set<Operations.DeadLetterRecord>();

    /// <summary>Set when outbox rows were saved in the current unit of work; the commit wakes the dispatcher.</summary>
    internal bool OutboxRowsPending { get; set; }

    /// <summary>Forgets everything tracked (and any unsaved outbox rows) before a retry starts over.</summary>
    internal void ResetUnitOfWork()
    {
        ChangeTracker.Clear();
        OutboxRowsPending = false;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction: the one already open on this context (its owner, such as the
    /// consumer outbox, commits it), or a fresh one under the provider's execution strategy, started from an empty
    /// change tracker and committed here.
    /// </summary>
    internal async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (Database.CurrentTransaction is not null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        var strategy = Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            work,
            async (_, run, ct) =>
            {
                ResetUnitOfWork();
                await using var transaction = await Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await run(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return result;
            },
            verifySucceeded: null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serialises outbox additions from concurrent publishes within one unit of work.</summary>
    internal object OutboxGate { get; } = new();

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
