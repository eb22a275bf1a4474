using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Outbox;
using StockSync.Persistence.Telemetry;

namespace StockSync.Persistence.Deadlines;

/// <summary>The <c>Deadlines</c> configuration section.</summary>
public sealed class DeadlineSweeperOptions
{
    public const string Section = "Deadlines";

    /// <summary>How often due deadlines are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether this replica runs the sweeper. Every replica can (claims keep each deadline to one event); turn it off on
    /// replicas that should only consume, or in tests that sweep by hand.
    /// </summary>
    public bool SweeperEnabled { get; set; } = true;

    /// <summary>The most deadlines of one kind handled in one sweep.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// The hosted service that publishes deadline events for every saga row whose deadline column has passed. It needs
/// no scheduler and no broker plugin: deadlines are columns operators can read, each event goes out through the
/// transactional outbox together with its claim row, and replicas share the work safely through <c>deadline_claims</c>.
/// Register the outbox (<c>AddStockSyncEntityFrameworkOutbox</c>) with it.
/// </summary>
public sealed class DeadlineSweeper(
    IServiceScopeFactory scopes,
    IEnumerable<IDeadlineSweep> sweeps,
    IOptions<DeadlineSweeperOptions> options,
    TimeProvider time,
    StockSyncMetrics metrics,
    ILogger<DeadlineSweeper> logger) : BackgroundService
{
    /// <summary>This replica's name in the claims table.</summary>
    public string SweeperId { get; } = ReplicaId.New();

    /// <summary>Runs one sweep of every deadline kind at the current time; returns how many events this replica published.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var context = new DeadlineSweepContext(SweeperId, time.GetUtcNow().UtcDateTime, settings.BatchSize);
        var published = 0;
        foreach (var sweep in sweeps)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<TransactionalOutbox>();
            var count = await sweep.SweepAsync(db, outbox, context, ct).ConfigureAwait(false);
            metrics.DeadlinesMissed(sweep.Name, count);
            if (count > 0)
            {
                logger.LogInformation("Published {Count} due {Deadline} deadlines", count, sweep.Name);
            }

            published += count;
        }

        return published;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SweeperEnabled)
        {
            logger.LogInformation("The deadline sweeper is disabled on this replica ({Setting} is false)", $"{DeadlineSweeperOptions.Section}:{nameof(DeadlineSweeperOptions.SweeperEnabled)}");
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next tick tries again; a deadline is never lost, only late.
                logger.LogError(ex, "Deadline sweep failed; retrying in {Interval}", options.Value.SweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

/// <summary>Registers the deadline sweeper and the deadlines it sweeps.</summary>
public static class DeadlineRegistration
{
    /// <summary>Adds the sweeper (a hosted service) with the <c>Deadlines</c> options and the given deadline kinds.</summary>
    public static IServiceCollection AddStockSyncDeadlines(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, params IDeadlineSweep[] sweeps)
    {
        services.AddOptions<DeadlineSweeperOptions>()
            .Bind(configuration.GetSection(DeadlineSweeperOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        foreach (var sweep in sweeps)
        {
            services.AddSingleton(sweep);
        }

        services.AddSingleton<DeadlineSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineSweeper>());
        return services;
    }
}
