using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StockSync.Persistence.Sagas;

/// <summary>The <c>Operations:SagaRetention</c> section: how long finished saga rows are kept.</summary>
public sealed class SagaRetentionOptions
{
    public const string Section = "Operations:SagaRetention";

    /// <summary>Whether this replica deletes finished saga rows (every replica may; the deletes are idempotent).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long a saga row stays after its last change in a finished state. While it is there, a reused order id is
    /// refused and the order's story is in <c>/ops/sagas/lookup</c>; after it, the id is free again.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Operations:SagaRetention:KeepFinishedFor must be between 1 day and 10 years.")]
    public TimeSpan KeepFinishedFor { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often finished rows past <see cref="KeepFinishedFor"/> are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Operations:SagaRetention:Interval must be between 1 second and 1 day.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The finished states of one saga: rows in them are deleted after the retention period.</summary>
public interface ISagaRetentionRule
{
    /// <summary>The saga's table, as the views and <c>deadline_claims</c> name it.</summary>
    string Saga { get; }

    /// <summary>The states from which the saga never moves again.</summary>
    IReadOnlyList<string> FinishedStates { get; }

    /// <summary>Deletes the rows finished before <paramref name="cutoff"/> and the deadline claims they leave behind.</summary>
    Task<int> DeleteFinishedAsync(StockSyncDbContext db, DateTime cutoff, CancellationToken ct);
}

/// <summary>The finished states of saga <typeparamref name="TSaga"/>, stored in <paramref name="saga"/>.</summary>
public sealed class SagaRetentionRule<TSaga>(string saga, params string[] finishedStates) : ISagaRetentionRule
    where TSaga : StockSyncSagaState
{
    public string Saga { get; } = saga;

    public IReadOnlyList<string> FinishedStates { get; } = finishedStates;

    public async Task<int> DeleteFinishedAsync(StockSyncDbContext db, DateTime cutoff, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var states = FinishedStates.ToList();
        var deleted = await db.Set<TSaga>()
            .Where(s => states.Contains(s.CurrentState) && s.UpdatedAt < cutoff)
            .ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (deleted > 0)
        {
            await db.DeadlineClaims
                .Where(c => c.Saga == Saga && !db.Set<TSaga>().Any(s => s.CorrelationId == c.CorrelationId))
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
        }

        return deleted;
    }
}

/// <summary>
/// Deletes saga rows that have been finished (collected, released, rejected, completed, cancelled, inspected…) for
/// longer than <see cref="SagaRetentionOptions.KeepFinishedFor"/>, so saga tables hold live orders plus a window of
/// history instead of growing forever. Rows in any other state are never touched, however old: an old live row is a
/// stuck saga, which operators must see.
/// </summary>
public sealed class SagaRetention(
    IServiceScopeFactory scopes,
    IEnumerable<ISagaRetentionRule> rules,
    IOptions<SagaRetentionOptions> options,
    TimeProvider time,
    ILogger<SagaRetention> logger) : BackgroundService
{
    /// <summary>Runs one pass; returns the rows deleted per saga.</summary>
    public async Task<IReadOnlyDictionary<string, int>> DeleteOnceAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.KeepFinishedFor;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            deleted[rule.Saga] = await rule.DeleteFinishedAsync(db, cutoff, ct).ConfigureAwait(false);
            if (deleted[rule.Saga] > 0)
            {
                logger.LogInformation(
                    "Saga retention deleted {Rows} rows of {Saga} finished ({States}) before {Cutoff:O}",
                    deleted[rule.Saga], rule.Saga, string.Join(", ", rule.FinishedStates), cutoff);
            }
        }

        return deleted;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await DeleteOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Saga retention failed; retrying in {Interval}", options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

/// <summary>Registers <see cref="SagaRetention"/>.</summary>
public static class SagaRetentionRegistration
{
    /// <summary>Adds the <c>Operations:SagaRetention</c> options, the rules, and the background service that applies them.</summary>
    public static IServiceCollection AddStockSyncSagaRetention(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, IReadOnlyList<ISagaRetentionRule> rules)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(rules);
        services.AddOptions<SagaRetentionOptions>()
            .Bind(configuration.GetSection(SagaRetentionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        foreach (var rule in rules)
        {
            services.AddSingleton(rule);
        }

        services.AddSingleton<SagaRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<SagaRetention>());
        return services;
    }
}
