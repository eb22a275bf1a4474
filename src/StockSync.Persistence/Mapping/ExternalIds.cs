using Microsoft.EntityFrameworkCore;

namespace StockSync.Persistence.Mapping;

/// <summary>A mapped SKU: the canonical SKU and how many canonical units one external unit is.</summary>
public sealed record MappedSku(string Sku, int UnitsPerExternal)
{
    /// <summary>An external quantity in canonical units.</summary>
    public int ToCanonical(int externalQuantity) => checked(externalQuantity * UnitsPerExternal);
}

/// <summary>One mapping to store.</summary>
public sealed record ExternalIdMapping(string System, string Kind, string ExternalId, string CanonicalId, int UnitsPerExternal = 1);

/// <summary>
/// The id mapping tables, for adapters: external SKU and location ids to canonical ones (inbound) and back (outbound).
/// An id with no mapping is a fault with the reason (<see cref="UnmappedIdException"/>), never a silent drop: the
/// adapter's message, with its raw payload, goes to the error queue and is replayed once the mapping exists.
/// </summary>
public sealed class ExternalIds(StockSyncDbContext db, TimeProvider time)
{
    /// <summary>The canonical SKU of <paramref name="externalSku"/> in <paramref name="system"/>, or null.</summary>
    public async Task<MappedSku?> FindSkuAsync(string system, string externalSku, CancellationToken ct)
    {
        var row = await FindAsync(system, ExternalIdKind.Sku, externalSku, ct).ConfigureAwait(false);
        return row is null ? null : new MappedSku(row.CanonicalId, row.UnitsPerExternal);
    }

    /// <summary>The canonical SKU of <paramref name="externalSku"/>; throws <see cref="UnmappedIdException"/> when there is none.</summary>
    public async Task<MappedSku> RequireSkuAsync(string system, string externalSku, CancellationToken ct) =>
        await FindSkuAsync(system, externalSku, ct).ConfigureAwait(false) ?? throw new UnmappedIdException(system, ExternalIdKind.Sku, externalSku);

    /// <summary>The canonical location of <paramref name="externalLocation"/> in <paramref name="system"/>, or null.</summary>
    public async Task<string?> FindLocationAsync(string system, string externalLocation, CancellationToken ct) =>
        (await FindAsync(system, ExternalIdKind.Location, externalLocation, ct).ConfigureAwait(false))?.CanonicalId;

    /// <summary>The canonical location of <paramref name="externalLocation"/>; throws <see cref="UnmappedIdException"/> when there is none.</summary>
    public async Task<string> RequireLocationAsync(string system, string externalLocation, CancellationToken ct) =>
        await FindLocationAsync(system, externalLocation, ct).ConfigureAwait(false) ?? throw new UnmappedIdException(system, ExternalIdKind.Location, externalLocation);

    /// <summary>
    /// The external ids of a canonical id in <paramref name="system"/> (outbound: what to call a SKU or location there),
    /// with the units per external unit; empty when the system does not know it.
    /// </summary>
    public async Task<IReadOnlyList<ExternalIdRecord>> ExternalIdsOfAsync(string system, string kind, string canonicalId, CancellationToken ct) =>
        await db.Set<ExternalIdRecord>().AsNoTracking()
            .Where(e => e.System == system && e.Kind == kind && e.CanonicalId == canonicalId)
            .OrderBy(e => e.ExternalId)
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary>Every mapping of <paramref name="system"/>, for operators.</summary>
    public async Task<IReadOnlyList<ExternalIdRecord>> ListAsync(string system, CancellationToken ct) =>
        await db.Set<ExternalIdRecord>().AsNoTracking()
            .Where(e => e.System == system)
            .OrderBy(e => e.Kind).ThenBy(e => e.ExternalId)
            .ToListAsync(ct).ConfigureAwait(false);

    /// <summary>Adds or replaces mappings (the caller saves; the ERP master load saves once per file or page).</summary>
    public async Task UpsertAsync(IEnumerable<ExternalIdMapping> mappings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var mapping in mappings)
        {
            if (mapping.UnitsPerExternal < 1)
            {
                throw new ArgumentException($"Units per external unit must be at least 1 ({mapping.System} {mapping.Kind} {mapping.ExternalId}).", nameof(mappings));
            }

            var row = await db.Set<ExternalIdRecord>().FindAsync([mapping.System, mapping.Kind, mapping.ExternalId], ct).ConfigureAwait(false);
            if (row is null)
            {
                db.Add(new ExternalIdRecord
                {
                    System = mapping.System,
                    Kind = mapping.Kind,
                    ExternalId = mapping.ExternalId,
                    CanonicalId = mapping.CanonicalId,
                    UnitsPerExternal = mapping.UnitsPerExternal,
                    UpdatedAt = now,
                });
            }
            else
            {
                row.CanonicalId = mapping.CanonicalId;
                row.UnitsPerExternal = mapping.UnitsPerExternal;
                row.UpdatedAt = now;
            }
        }
    }

    private Task<ExternalIdRecord?> FindAsync(string system, string kind, string externalId, CancellationToken ct) =>
        db.Set<ExternalIdRecord>().AsNoTracking().SingleOrDefaultAsync(e => e.System == system && e.Kind == kind && e.ExternalId == externalId, ct);
}

/// <summary>
/// An external id with no mapping. The message that carried it faults with this reason and waits in the error queue,
/// raw payload and all, until the mapping is added and the message replayed.
/// </summary>
public sealed class UnmappedIdException : Exception
{
    public UnmappedIdException()
    {
    }

    public UnmappedIdException(string message)
        : base(message)
    {
    }

    public UnmappedIdException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnmappedIdException(string system, string kind, string externalId)
        : base($"{system} {kind.ToLowerInvariant()} '{externalId}' has no mapping to a canonical id: add it (PUT /mappings/{system}/{(kind == ExternalIdKind.Sku ? "skus" : "locations")}/{externalId}, or in the ERP master data), then replay the message from the error queue.")
    {
        System = system;
        Kind = kind;
        ExternalId = externalId;
    }

    public string? System { get; }

    public string? Kind { get; }

    public string? ExternalId { get; }
}
