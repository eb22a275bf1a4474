using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using StockSync.Persistence.Sagas;

namespace StockSync.Persistence.PostgreSql;

/// <summary>Points EF Core at PostgreSql, with this assembly's migrations.</summary>
public sealed class PostgreSqlProviderConfigurator : IDatabaseProviderConfigurator
{
    /// <inheritdoc />
    public DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    /// <inheritdoc />
    public void Configure(DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseNpgsql(connectionString, o => o.MigrationsAssembly(typeof(PostgreSqlProviderConfigurator).Assembly.GetName().Name));
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context for PostgreSql migrations without a host.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<StockSyncDbContext>
{
    /// <inheritdoc />
    public StockSyncDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<StockSyncDbContext>();
        new PostgreSqlProviderConfigurator().Configure(builder, "Host=localhost;Database=stocksync_design");
        // The model is the host's: the ledger, outbox and deadline tables, plus every shipped saga's table.
        builder.UseStockSyncSagaMaps(StockSync.Sagas.OrderFlowRegistration.SagaMaps);
        return new StockSyncDbContext(builder.Options);
    }
}
