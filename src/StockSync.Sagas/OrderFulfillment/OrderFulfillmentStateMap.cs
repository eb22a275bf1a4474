using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.OrderFulfillment;

/// <summary>The <c>order_fulfillment_sagas</c> table.</summary>
public sealed class OrderFulfillmentStateMap() : SagaStateMap<OrderFulfillmentState>(Table)
{
    /// <summary>The saga's table.</summary>
    public const string Table = "order_fulfillment_sagas";

    /// <inheritdoc />
    protected override void Configure(EntityTypeBuilder<OrderFulfillmentState> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Property(s => s.OrderId).HasMaxLength(OrderIds.MaxLength);
        builder.HasIndex(s => s.OrderId).IsUnique();
        builder.Property(s => s.ChannelId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.Reason).HasMaxLength(Lengths.Text);
        builder.Property(s => s.Lines).HasJsonConversion();
        builder.Property(s => s.Shipments).HasJsonConversion();
    }
}
