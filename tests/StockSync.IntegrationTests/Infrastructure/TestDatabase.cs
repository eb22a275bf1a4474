using Npgsql;
using StockSync.Persistence;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>A database of its own for one test: a fresh PostgreSQL database or SQLite file, dropped afterwards.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract DatabaseProvider Provider { get; }

    public abstract string ConnectionString { get; }

    public abstract string Description { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.PostgreSql => await PostgreSqlTestDatabase.CreateAsync(),
        DatabaseProvider.Sqlite => new SqliteTestDatabase(),
        _ => throw new NotSupportedException($"{provider} cannot run on this machine."),
    };

    public abstract ValueTask DisposeAsync();

    private sealed class PostgreSqlTestDatabase(string name, string connectionString, string serverVersion) : TestDatabase
    {
        public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

        public override string ConnectionString => connectionString;

        public override string Description
        {
            get
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                return $"PostgreSQL {serverVersion} at {builder.Host}:{builder.Port}, database {name}";
            }
        }

        public static async Task<TestDatabase> CreateAsync()
        {
            var name = $"stocksync_it_{Guid.NewGuid():N}";
            await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdminConnectionString);
            await admin.OpenAsync();
            await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin))
            {
                await create.ExecuteNonQueryAsync();
            }

            var builder = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdminConnectionString) { Database = name };
            return new PostgreSqlTestDatabase(name, builder.ConnectionString, admin.PostgreSqlVersion.ToString());
        }

        public override async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    return;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 20)
                {
                    // An autovacuum worker is in the database (busy after the test's writes); FORCE may not terminate
                    // it without pg_signal_backend, and it leaves on its own within moments.
                    await Task.Delay(250);
                }
            }
        }
    }

    private sealed class SqliteTestDatabase : TestDatabase
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"stocksync-it-{Guid.NewGuid():N}.db");

        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        public override string ConnectionString => $"Data Source={_path};Pooling=False";

        public override string Description => $"SQLite file {_path}";

        public override ValueTask DisposeAsync()
        {
            foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            {
                File.Delete(file);
            }

            return ValueTask.CompletedTask;
        }
    }
}
