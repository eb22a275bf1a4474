using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;

namespace StockSync.Persistence.Adapters;

/// <summary>Where a storefront checkout's hold is.</summary>
public static class CheckoutHoldState
{
    /// <summary>The hold's reservations were published to the ledger and nothing has ended them.</summary>
    public const string Held = "Held";

    /// <summary>The checkout was abandoned or deleted: the held units were released.</summary>
    public const string Released = "Released";

    /// <summary>The checkout became an order, which took the held units over (or released them, for a pickup order).</summary>
    public const string Converted = "Converted";
}

/// <summary>
/// A storefront checkout's hold (<c>checkout_holds</c>): which units were reserved under the checkout's reservation id,
/// where, and what became of them. The release (<c>checkouts/delete</c>) and the order that completes the checkout read
/// it, so that they give back exactly what was held, once.
/// </summary>
public sealed class CheckoutHoldRecord
{
    /// <summary>The storefront system, e.g. <c>shopify</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The storefront's checkout token.</summary>
    public required string CheckoutToken { get; set; }

    /// <summary>The ledger reservation id the units are held under.</summary>
    public required string ReservationId { get; set; }

    /// <summary>The canonical location the units are held at.</summary>
    public required string LocationId { get; set; }

    /// <summary>The held lines as JSON (<c>[{"sku":…,"quantity":…,"sourceMessageId":…}]</c>), canonical units; never queried.</summary>
    public required string Lines { get; set; }

    /// <summary>A <see cref="CheckoutHoldState"/> value.</summary>
    public required string State { get; set; }

    /// <summary>The canonical order id the checkout became, once it did.</summary>
    public string? OrderId { get; set; }

    public DateTime HeldAt { get; set; }

    public DateTime? EndedAt { get; set; }
}

internal sealed class CheckoutHoldMap : IEntityTypeConfiguration<CheckoutHoldRecord>
{
    public void Configure(EntityTypeBuilder<CheckoutHoldRecord> builder)
    {
        builder.ToTable("CheckoutHolds");
        builder.HasKey(e => new { e.Source, e.CheckoutToken });
        builder.Property(e => e.Source).HasMaxLength(64);
        builder.Property(e => e.CheckoutToken).HasMaxLength(Lengths.Id);
        builder.Property(e => e.State).HasMaxLength(16);
        builder.Property(e => e.Lines).Metadata.SetMaxLength(null);
        builder.HasIndex(e => new { e.State, e.HeldAt });
    }
}
