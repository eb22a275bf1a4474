using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence;
using StockSync.Persistence.Adapters;

namespace StockSync.Adapters.Ecommerce.Webhooks;

/// <summary>
/// Deletes webhook receipts, and checkout holds that have ended, once they are older than
/// <c>Ecommerce:ReceiptRetention</c> (default 7 days; Shopify re-delivers a failed webhook for up to 48 hours, so a
/// receipt older than that can no longer meet its duplicate). Held checkouts are kept whatever their age.
/// </summary>
public sealed partial class WebhookReceiptCleanup(
    IServiceScopeFactory scopes,
    IOptions<EcommerceOptions> options,
    TimeProvider time,
    ILogger<WebhookReceiptCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await CleanAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The next round retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task CleanAsync(CancellationToken ct)
    {
        var cutoff = (time.GetUtcNow() - options.Value.ReceiptRetention).UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var receipts = await db.Set<WebhookReceiptRecord>().Where(r => r.ReceivedAt < cutoff).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        var holds = await db.Set<CheckoutHoldRecord>().Where(h => h.State != CheckoutHoldState.Held && h.EndedAt < cutoff).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (receipts + holds > 0)
        {
            LogCleaned(logger, receipts, holds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Receipts} webhook receipts and {Holds} ended checkout holds past their retention")]
    private static partial void LogCleaned(ILogger logger, int receipts, int holds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook receipt cleanup failed; it runs again within the hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
