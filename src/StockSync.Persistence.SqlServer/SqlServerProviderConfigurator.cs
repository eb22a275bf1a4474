using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using StockSync.Persistence.Sagas;

namespace StockSync.Persistence.SqlServer;

/// <summary>Points EF Core at SqlServer, with this assembly's migrations.</summary>
public sealed class SqlServerProviderConfigurator : IDatabaseProviderConfigurator
{
    /// <inheritdoc />
    public DatabaseProvider Provider => DatabaseProvider.SqlServer;

    /// <inheritdoc />
    public void Configure(DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSqlServer(connectionString, o => o.MigrationsAssembly(typeof(SqlServerProviderConfigurator).Assembly.GetName().Name).EnableRetryOnFailure());
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context for SqlServer migrations without a host.</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<StockSyncDbContext>
{
    /// <inheritdoc />
    public StockSyncDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<StockSyncDbContext>();
        new SqlServerProviderConfigurator().Configure(builder, "Server=localhost;Database=StockSyncDesign;Trusted_Connection=True;TrustServerCertificate=True");
        // The model is the host's: the ledger, outbox and deadline tables, plus every shipped saga's table.
        builder.UseStockSyncSagaMaps(StockSync.Sagas.OrderFlowRegistration.SagaMaps);
        return new StockSyncDbContext(builder.Options);
    }
}
