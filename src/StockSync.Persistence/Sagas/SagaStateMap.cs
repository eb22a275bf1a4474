using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockSync.Persistence.Sagas;

/// <summary>
/// The EF Core map of one saga's table: the shared columns (key, state, version token, timestamps) here, the saga's
/// business keys and deadlines in <see cref="Configure(EntityTypeBuilder{TSaga})"/> of the derived map.
/// Like MassTransit's <c>SagaClassMap</c>, it is registered with the model by <see cref="SagaModelExtensions.UseStockSyncSagaMaps"/>.
/// </summary>
public abstract class SagaStateMap<TSaga>(string tableName) : ISagaStateMap, IEntityTypeConfiguration<TSaga>
    where TSaga : StockSyncSagaState
{
    /// <inheritdoc />
    public Type SagaType => typeof(TSaga);

    /// <summary>The saga's table name (snake_case on every provider, like the rest of the model).</summary>
    public string TableName { get; } = tableName;

    void IEntityTypeConfiguration<TSaga>.Configure(EntityTypeBuilder<TSaga> builder)
    {
        builder.ToTable(TableName);
        builder.HasKey(s => s.CorrelationId);
        builder.Property(s => s.CorrelationId).ValueGeneratedNever();
        builder.Property(s => s.CurrentState).HasMaxLength(64);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.HasIndex(s => s.CurrentState);
        Configure(builder);
    }

    /// <inheritdoc />
    public void Apply(ModelBuilder modelBuilder) => modelBuilder.ApplyConfiguration(this);

    /// <summary>Maps the saga's own columns: business keys (indexed when correlated on), deadlines, JSON lists.</summary>
    protected abstract void Configure(EntityTypeBuilder<TSaga> builder);
}

/// <summary>A saga table map, as the model sees it.</summary>
public interface ISagaStateMap
{
    /// <summary>The saga state class the map describes.</summary>
    Type SagaType { get; }

    /// <summary>Adds the saga's table to the model.</summary>
    void Apply(ModelBuilder modelBuilder);
}
