using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;
using StockSync.Persistence.Sagas;

namespace StockSync.Sagas.ReturnInspection;

/// <summary>The <c>return_inspection_sagas</c> table.</summary>
public sealed class ReturnInspectionStateMap() : SagaStateMap<ReturnInspectionState>(Table)
{
    public const string Table = "return_inspection_sagas";

    /// <inheritdoc />
    protected override void Configure(EntityTypeBuilder<ReturnInspectionState> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Property(s => s.ReturnId).HasMaxLength(OrderIds.MaxLength);
        builder.HasIndex(s => s.ReturnId).IsUnique();
        builder.Property(s => s.LocationId).HasMaxLength(Lengths.Id);
        builder.HasIndex(s => s.LocationId);
        builder.Property(s => s.OrderId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.OriginalTransactionId).HasMaxLength(Lengths.Id);
        builder.Property(s => s.Reason).HasMaxLength(Lengths.Text);
        builder.Property(s => s.Lines).HasJsonConversion();
        builder.Property(s => s.Inspected).HasJsonConversion();
        builder.HasIndex(s => s.InspectionDueAt);
    }
}
