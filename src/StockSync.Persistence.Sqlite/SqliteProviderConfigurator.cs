using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using StockSync.Persistence.Sagas;

namespace StockSync.Persistence.Sqlite;

/// <summary>Points EF Core at Sqlite, with this assembly's migrations.</summary>
public sealed class SqliteProviderConfigurator : IDatabaseProviderConfigurator
{
    /// <inheritdoc />
    public DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <inheritdoc />
    public void Configure(DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSqlite(connectionString, o => o.MigrationsAssembly(typeof(SqliteProviderConfigurator).Assembly.GetName().Name));
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context for Sqlite migrations without a host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<StockSyncDbContext>
{
    /// <inheritdoc />
    public StockSyncDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<StockSyncDbContext>();
        new SqliteProviderConfigurator().Configure(builder, "Data Source=design-time.db");
        // The model is the host's: the ledger, outbox and deadline tables, plus every shipped saga's table.
        builder.UseStockSyncSagaMaps(StockSync.Sagas.OrderFlowRegistration.SagaMaps);
        return new StockSyncDbContext(builder.Options);
    }
}
