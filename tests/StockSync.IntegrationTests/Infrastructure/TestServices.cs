using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Persistence;
using StockSync.Persistence.PostgreSql;
using StockSync.Persistence.Sagas;
using StockSync.Persistence.Sqlite;
using StockSync.Sagas;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>The building blocks tests compose their service providers from.</summary>
public static class TestServices
{
    /// <summary>
    /// Logging, the system clock and the StockSync database on <paramref name="database"/>: the host's model (with the
    /// order sagas' tables, so migrations apply cleanly) plus the given test saga tables.
    /// </summary>
    public static IServiceCollection ForDatabase(TestDatabase database, params ISagaStateMap[] sagas) =>
        ForDatabase(Configuration(database), sagas);

    /// <summary>The same, with a configuration of the caller's (see <see cref="Configuration"/>).</summary>
    public static IServiceCollection ForDatabase(IConfiguration configuration, params ISagaStateMap[] sagas) =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddStockSyncDatabase(configuration, new SqliteProviderConfigurator(), new PostgreSqlProviderConfigurator())
            .AddStockSyncSagaMaps([.. OrderFlowRegistration.SagaMaps, .. sagas]);

    /// <summary>The <c>Database</c> section for <paramref name="database"/>, plus <paramref name="settings"/>.</summary>
    public static IConfiguration Configuration(TestDatabase database, IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var all = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(all).Build();
    }

    /// <summary>Points a RabbitMQ bus at the test broker, in <paramref name="vhost"/>.</summary>
    public static void UseTestBroker(this IRabbitMqBusFactoryConfigurator cfg, RabbitMqVirtualHost vhost)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        ArgumentNullException.ThrowIfNull(vhost);
        cfg.Host(TestEnvironment.RabbitHost, (ushort)TestEnvironment.RabbitPort, vhost.Name, h =>
        {
            h.Username(TestEnvironment.RabbitUser);
            h.Password(TestEnvironment.RabbitPassword);
        });
    }
}
