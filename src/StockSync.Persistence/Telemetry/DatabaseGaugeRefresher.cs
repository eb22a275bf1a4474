using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Operations;

namespace StockSync.Persistence.Telemetry;

/// <summary>The <c>Telemetry:DatabaseGauges</c> configuration section.</summary>
public sealed class DatabaseGaugeOptions
{
    public const string Section = "Telemetry:DatabaseGauges";

    /// <summary>Reads the outbox and dead-letter figures for the gauges (three small indexed queries per interval).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the figures are read; a scrape in between reports the last reading.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Keeps the database-backed gauges of <see cref="StockSyncMetrics"/> (outbox lag and pending count, open dead
/// letters) current by reading them every <see cref="DatabaseGaugeOptions.RefreshInterval"/>, so a scrape never
/// queries the database and many scrapers cost nothing more.
/// </summary>
public sealed partial class DatabaseGaugeRefresher(
    IServiceScopeFactory scopes,
    StockSyncMetrics metrics,
    IOptions<DatabaseGaugeOptions> options,
    TimeProvider time,
    ILogger<DatabaseGaugeRefresher> logger) : BackgroundService
{
    /// <summary>Reads the figures once and hands them to the gauges.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var undelivered = db.OutboxMessages.AsNoTracking().Where(m => m.DeliveredAt == null);
        var pending = await undelivered.LongCountAsync(ct).ConfigureAwait(false);
        // The lowest sequence number is the oldest row (insertion order), found through the primary key.
        var oldest = await undelivered.OrderBy(m => m.SequenceNumber).Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var open = await db.DeadLetters.AsNoTracking().LongCountAsync(d => d.Status == DeadLetterStatus.Open, ct).ConfigureAwait(false);
        metrics.Time = time;
        metrics.UpdateDatabaseGauges(new DatabaseGauges(
            pending,
            oldest is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
            open,
            time.GetUtcNow()));
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gauges keep their last reading; the next tick tries again.
                LogFailed(logger, options.Value.RefreshInterval, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the outbox and dead-letter gauges failed; retrying in {Interval}")]
    private static partial void LogFailed(ILogger logger, TimeSpan interval, Exception exception);
}
