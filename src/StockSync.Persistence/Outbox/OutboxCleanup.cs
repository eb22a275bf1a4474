using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// Deletes delivered outbox rows after <see cref="OutboxOptions.DeliveredRetention"/> and inbox rows after
/// <see cref="OutboxOptions.DuplicateDetectionWindow"/>. Undelivered outbox rows are never deleted. Every replica may
/// run it; the deletes are idempotent.
/// </summary>
public sealed class OutboxCleanup(
    IServiceScopeFactory scopes,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxCleanup> logger) : BackgroundService
{
    /// <summary>Runs one cleanup; returns (outbox rows, inbox rows) deleted.</summary>
    public async Task<(int Outbox, int Inbox)> CleanOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var deliveredBefore = now - settings.DeliveredRetention;
        var consumedBefore = now - settings.DuplicateDetectionWindow;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var outbox = await db.OutboxMessages.Where(m => m.DeliveredAt != null && m.DeliveredAt < deliveredBefore)
            .ExecuteDeleteAsync(ct).ConfigureAwait(false);
        var inbox = await db.InboxStates.Where(i => i.ConsumedAt < consumedBefore)
            .ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (outbox + inbox > 0)
        {
            logger.LogInformation("Outbox cleanup deleted {OutboxRows} delivered outbox rows and {InboxRows} expired inbox rows", outbox, inbox);
        }

        return (outbox, inbox);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CleanupEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await CleanOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Outbox cleanup failed; retrying in {Interval}", options.Value.CleanupInterval);
            }
        }
    }
}
