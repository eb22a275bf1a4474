using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.ClickAndCollect;

/// <summary>The <c>click_and_collect_sagas</c> table.</summary>
public sealed class ClickAndCollectStateMap() : SagaStateMap<ClickAndCollectState>(Table)
{
    /// <summary>The saga's table.</summary>
    public const string Table = "click_and_collect_sagas";

    /// <inheritdoc />
    protected override void Configure(EntityTypeBuilder<ClickAndCollectState> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Property(s => s.OrderId).HasMaxLength(OrderIds.MaxLength);
        builder.HasIndex(s => s.OrderId).IsUnique();
        builder.Property(s => s.StoreId).HasMaxLength(Lengths.Id);
        builder.HasIndex(s => s.StoreId);
        builder.Property(s => s.RequestedStoreId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.ChannelId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.CustomerReference).HasMaxLength(Lengths.Id);
        builder.Property(s => s.ReservationId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.ShipmentId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.Reason).HasMaxLength(Lengths.Text);
        builder.Property(s => s.Lines).HasJsonConversion();
        builder.Property(s => s.ShortPickedAt).HasJsonConversion();
        builder.Property(s => s.Alternatives).HasJsonConversion();
        builder.Ignore(s => s.Resourced);
        builder.HasIndex(s => s.HoldExpiresAt);
        builder.HasIndex(s => s.PickupReminderAt);
        builder.HasIndex(s => s.PickupWindowEndsAt);
    }
}
