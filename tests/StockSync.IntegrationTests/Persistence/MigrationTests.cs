using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using StockSync.IntegrationTests.Infrastructure;
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

    [Fact]
    public async Task The_idempotent_postgresql_script_builds_the_schema_and_runs_again_without_harm()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        using var design = new PostgreSqlDesignTimeFactory().CreateDbContext([]);
        var script = design.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        for (var run = 0; run < 2; run++)
        {
            await using var apply = new NpgsqlCommand(script, connection);
            await apply.ExecuteNonQueryAsync();
        }

        await using var check = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        Assert.Equal((long)design.Database.GetMigrations().Count(), (long)(await check.ExecuteScalarAsync())!);
        await using var table = new NpgsqlCommand("SELECT count(*) FROM positions", connection);
        Assert.Equal(0L, (long)(await table.ExecuteScalarAsync())!);
    }
}
