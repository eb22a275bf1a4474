using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockSync.Persistence.Leases;

/// <summary>
/// A lease on a job that one replica at a time must run (<c>dispatcher_leases</c>), such as sending the ERP postings
/// in order. Claimed and renewed with a conditional update, the same SQL on every provider (see
/// <see cref="DispatcherLeases"/>).
/// </summary>
public sealed class DispatcherLeaseRecord
{
    /// <summary>The job, for example <c>erp-postings</c>.</summary>
    public required string Name { get; set; }

    /// <summary>The replica holding it (a dispatcher id), or null when free.</summary>
    public string? Owner { get; set; }

    public DateTime? LeaseUntil { get; set; }

    /// <summary>When the owner last renewed it.</summary>
    public DateTime? RenewedAt { get; set; }
}

internal sealed class DispatcherLeaseMap : IEntityTypeConfiguration<DispatcherLeaseRecord>
{
    public void Configure(EntityTypeBuilder<DispatcherLeaseRecord> builder)
    {
        builder.ToTable("DispatcherLeases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(64);
    }
}

/// <summary>
/// Claims, renews and releases <see cref="DispatcherLeaseRecord"/>s. One statement claims a lease that is free,
/// expired or already this owner's, so two replicas never hold the same lease: the database re-checks the condition
/// under the row lock of the update.
/// </summary>
public static class DispatcherLeases
{
    /// <summary>
    /// Claims or renews <paramref name="name"/> for <paramref name="owner"/> until <paramref name="until"/> (creating
    /// the row on first use); true when <paramref name="owner"/> holds it afterwards.
    /// </summary>
    public static async Task<bool> TryAcquireAsync(StockSyncDbContext db, string name, string owner, DateTime now, DateTime until, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var claimed = await ClaimAsync(db, name, owner, now, until, ct).ConfigureAwait(false);
        if (claimed > 0)
        {
            return true;
        }

        if (await db.DispatcherLeases.AsNoTracking().AnyAsync(l => l.Name == name, ct).ConfigureAwait(false))
        {
            return false; // another replica holds it
        }

        db.DispatcherLeases.Add(new DispatcherLeaseRecord { Name = name });
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another replica created it at the same moment; the claim below decides who holds it.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        return await ClaimAsync(db, name, owner, now, until, ct).ConfigureAwait(false) > 0;
    }

    /// <summary>Gives the lease back, so another replica takes over at once instead of waiting for it to expire.</summary>
    public static Task ReleaseAsync(StockSyncDbContext db, string name, string owner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.DispatcherLeases.Where(l => l.Name == name && l.Owner == owner)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.Owner, (string?)null).SetProperty(l => l.LeaseUntil, (DateTime?)null), ct);
    }

    private static Task<int> ClaimAsync(StockSyncDbContext db, string name, string owner, DateTime now, DateTime until, CancellationToken ct) =>
        db.DispatcherLeases
            .Where(l => l.Name == name && (l.Owner == owner || l.Owner == null || l.LeaseUntil == null || l.LeaseUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.Owner, owner).SetProperty(l => l.LeaseUntil, until).SetProperty(l => l.RenewedAt, now), ct);
}
