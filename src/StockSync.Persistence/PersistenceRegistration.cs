using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StockSync.Persistence.Outbox;
using StockSync.Persistence.Sagas;

namespace StockSync.Persistence;

/// <summary>Registers the StockSync DbContext for the provider named in configuration.</summary>
public static class PersistenceRegistration
{
    /// <summary>
    /// Binds and validates the <c>Database</c> section and registers <see cref="StockSyncDbContext"/> with the
    /// configurator whose provider it names. The host passes every provider it ships.
    /// </summary>
    public static IServiceCollection AddStockSyncDatabase(
        this IServiceCollection services,
        IConfiguration configuration,
        params IDatabaseProviderConfigurator[] providers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations()
            .Validate(
                o => providers.Any(p => p.Provider == o.Provider),
                $"{DatabaseOptions.Section}:Provider names a provider this host does not ship (supported: {string.Join(", ", providers.Select(p => p.Provider))}).")
            .ValidateOnStart();

        services.AddDbContext<StockSyncDbContext>((sp, builder) =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var provider = providers.First(p => p.Provider == options.Provider);
            provider.Configure(builder, options.ConnectionString);
            builder.UseStockSyncSagaMaps(sp.GetServices<ISagaStateMap>());
            builder.AddInterceptors(
                new SagaStateStamps(sp.GetService<TimeProvider>() ?? TimeProvider.System),
                new OutboxCommitSignal(sp.GetRequiredService<OutboxSignal>()));
        });
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<Telemetry.StockSyncMetrics>();
        services.TryAddScoped<Mapping.ExternalIds>();
        services.TryAddScoped<Reconciliation.StockSnapshots>();
        services.TryAddScoped<Ledger.SourceSequences>();
        services.TryAddScoped<Adapters.WebhookReceipts>();
        services.TryAddScoped<Operations.DeadLetterStore>();
        return services;
    }

    /// <summary>
    /// Keeps the database-backed gauges of the <c>StockSync</c> meter (outbox lag, pending outbox messages, open dead
    /// letters) current in the background (<c>Telemetry:DatabaseGauges</c>).
    /// </summary>
    public static IServiceCollection AddStockSyncDatabaseGauges(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<Telemetry.DatabaseGaugeOptions>()
            .Bind(configuration.GetSection(Telemetry.DatabaseGaugeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<Telemetry.StockSyncMetrics>();
        services.AddHostedService<Telemetry.DatabaseGaugeRefresher>();
        return services;
    }

    /// <summary>Adds saga tables to the StockSync model (each saga's <see cref="SagaStateMap{TSaga}"/>).</summary>
    public static IServiceCollection AddStockSyncSagaMaps(this IServiceCollection services, params ISagaStateMap[] maps)
    {
        foreach (var map in maps)
        {
            services.AddSingleton(map);
        }

        return services;
    }

    /// <summary>Applies pending migrations when <see cref="DatabaseOptions.MigrateOnStartup"/> is on.</summary>
    public static async Task MigrateStockSyncDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (options.MigrateOnStartup)
        {
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            await db.Database.MigrateAsync(ct).ConfigureAwait(false);
        }
    }
}
