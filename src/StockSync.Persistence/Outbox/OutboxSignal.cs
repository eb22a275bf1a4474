using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace StockSync.Persistence.Outbox;

/// <summary>Wakes this process's dispatcher when a transaction that wrote outbox rows commits.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    /// <summary>Something was committed to the outbox.</summary>
    public void Notify()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every commit before it.
        }
    }

    /// <summary>Waits for a commit, or at most <paramref name="timeout"/>.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _pending.WaitAsync(timeout, ct);

    /// <inheritdoc />
    public void Dispose() => _pending.Dispose();
}

/// <summary>Signals <see cref="OutboxSignal"/> after a save or commit that stored outbox rows.</summary>
internal sealed class OutboxCommitSignal(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSave(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        AfterSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => AfterCommit(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        AfterCommit(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void AfterSave(DbContext? context)
    {
        if (context is StockSyncDbContext db && db.OutboxRowsPending && db.Database.CurrentTransaction is null)
        {
            db.OutboxRowsPending = false;
            signal.Notify();
        }
    }

    private void AfterCommit(DbContext? context)
    {
        if (context is StockSyncDbContext { OutboxRowsPending: true } db)
        {
            db.OutboxRowsPending = false;
            signal.Notify();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is StockSyncDbContext db)
        {
            db.OutboxRowsPending = false;
        }
    }
}
