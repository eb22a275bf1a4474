using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockSync.Persistence.Mapping;

/// <summary>What an external id names: a SKU or a location.</summary>
public static class ExternalIdKind
{
    public const string Sku = "Sku";
    public const string Location = "Location";
}

/// <summary>
/// One row of the id mapping tables (<c>external_ids</c>): an external system's id for a SKU or a location, the
/// canonical id it stands for, and for SKUs the unit of measure (how many canonical units, "each", one external unit
/// is: a case of 12 is 12). Loaded from the ERP master data or set over the API.
/// </summary>
public sealed class ExternalIdRecord
{
    /// <summary>The external system, e.g. <c>pos</c>, <c>shopify</c>, <c>erp</c>, <c>walmart</c>.</summary>
    public required string System { get; set; }

    /// <summary><see cref="ExternalIdKind.Sku"/> or <see cref="ExternalIdKind.Location"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>The system's id (a barcode, a variant id, a store number).</summary>
    public required string ExternalId { get; set; }

    /// <summary>The canonical SKU or location id.</summary>
    public required string CanonicalId { get; set; }

    /// <summary>For a SKU: canonical units per external unit (1 unless the system counts in packs or cases).</summary>
    public int UnitsPerExternal { get; set; } = 1;

    public DateTime UpdatedAt { get; set; }
}

internal sealed class ExternalIdMap : IEntityTypeConfiguration<ExternalIdRecord>
{
    public void Configure(EntityTypeBuilder<ExternalIdRecord> builder)
    {
        builder.ToTable("ExternalIds");
        builder.HasKey(e => new { e.System, e.Kind, e.ExternalId });
        builder.Property(e => e.System).HasMaxLength(64);
        builder.Property(e => e.Kind).HasMaxLength(16);
        builder.Property(e => e.UnitsPerExternal).HasDefaultValue(1);
        builder.HasIndex(e => new { e.System, e.Kind, e.CanonicalId });
    }
}
