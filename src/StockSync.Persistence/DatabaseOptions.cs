using System.ComponentModel.DataAnnotations;

namespace StockSync.Persistence;

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Database";

    /// <summary>Sqlite (the embedded default), PostgreSql or SqlServer.</summary>
    [Required]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The provider's connection string.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = "Data Source=stocksync.db";

    /// <summary>Apply pending migrations when the host starts (on by default; turn off where a DBA runs the scripts).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

/// <summary>The supported database providers.</summary>
public enum DatabaseProvider
{
    /// <summary>SQLite: a single file, for a first run and small installations.</summary>
    Sqlite,

    /// <summary>PostgreSQL.</summary>
    PostgreSql,

    /// <summary>Microsoft SQL Server: the production default.</summary>
    SqlServer,
}

/// <summary>
/// Configures EF Core for one provider, including its migrations assembly. Each provider project supplies one.
/// </summary>
public interface IDatabaseProviderConfigurator
{
    /// <summary>The provider this configurator serves.</summary>
    DatabaseProvider Provider { get; }

    /// <summary>Points the options at the database with the provider's settings and migrations assembly.</summary>
    void Configure(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder builder, string connectionString);
}
