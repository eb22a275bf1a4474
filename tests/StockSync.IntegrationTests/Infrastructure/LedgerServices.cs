using Microsoft.Extensions.DependencyInjection;
using StockSync.Ledger;
using StockSync.Persistence;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>The ledger's services (writer, queries, catalogue) on a test database, without a bus.</summary>
public sealed class LedgerServices : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private LedgerServices(ServiceProvider services, TestDatabase database)
    {
        _services = services;
        Database = database;
    }

    public TestDatabase Database { get; }

    public static async Task<LedgerServices> StartAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var configuration = TestServices.Configuration(database, new Dictionary<string, string?> { ["Channels:web:SharePercent"] = "100" });
        var services = TestServices.ForDatabase(configuration).AddStockSyncLedger(configuration).BuildServiceProvider(validateScopes: true);
        await services.MigrateStockSyncDatabaseAsync();
        return new LedgerServices(services, database);
    }

    /// <summary>Runs <paramref name="work"/> with a fresh scope (a fresh DbContext), as one message handler would.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
