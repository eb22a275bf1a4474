using Microsoft.EntityFrameworkCore;
using StockSync.Persistence;
using StockSync.Persistence.PostgreSql;
using StockSync.Persistence.Sqlite;
using StockSync.Persistence.SqlServer;

namespace StockSync.IntegrationTests.Persistence;

/// <summary>
/// Every provider's migrations describe the current model, so a model change without a migration fails CI
/// (SQL Server included: building its model needs no server).
/// </summary>
public sealed class MigrationTests
{
    public static TheoryData<string> Providers => [nameof(DatabaseProvider.Sqlite), nameof(DatabaseProvider.PostgreSql), nameof(DatabaseProvider.SqlServer)];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_provider_has_migrations_for_the_whole_model(string provider)
    {
        using var db = provider switch
        {
            nameof(DatabaseProvider.Sqlite) => new SqliteDesignTimeFactory().CreateDbContext([]),
            nameof(DatabaseProvider.PostgreSql) => new PostgreSqlDesignTimeFactory().CreateDbContext([]),
            _ => new SqlServerDesignTimeFactory().CreateDbContext([]),
        };

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"The model has changes without a {provider} migration: add one with `dotnet ef migrations add`.");
    }
}
