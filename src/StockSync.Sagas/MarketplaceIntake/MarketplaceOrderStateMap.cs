using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>The <c>marketplace_order_sagas</c> table.</summary>
public sealed class MarketplaceOrderStateMap() : SagaStateMap<MarketplaceOrderState>(Table)
{
    public const string Table = "marketplace_order_sagas";

    /// <inheritdoc />
    protected override void Configure(EntityTypeBuilder<MarketplaceOrderState> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Property(s => s.Marketplace).HasMaxLength(32);
        builder.Property(s => s.MarketplaceOrderId).HasMaxLength(OrderIds.MaxLength);
        builder.HasIndex(s => new { s.Marketplace, s.MarketplaceOrderId }).IsUnique();
        builder.Property(s => s.OrderId).HasMaxLength(OrderIds.MaxLength);
        builder.HasIndex(s => s.OrderId).IsUnique();
        builder.Property(s => s.Reason).HasMaxLength(Lengths.Text);
        builder.Property(s => s.LastError).HasMaxLength(Lengths.Text);
        builder.Property(s => s.Lines).HasJsonConversion();
        builder.Property(s => s.Decisions).HasJsonConversion();
        builder.Property(s => s.Reservations).HasJsonConversion();
        builder.HasIndex(s => s.AcknowledgeBy);
    }
}
