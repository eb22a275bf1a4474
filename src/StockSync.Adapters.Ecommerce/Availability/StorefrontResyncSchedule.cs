using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>
/// Asks for a storefront resync when the host starts (<c>Ecommerce:Push:ResyncOnStart</c>) and every
/// <c>Ecommerce:Push:ResyncInterval</c>. The request goes through the transactional outbox to the availability queue,
/// so whichever replica is the active pusher performs it.
/// </summary>
public sealed partial class StorefrontResyncSchedule(
    IServiceScopeFactory scopes,
    IOptions<EcommerceOptions> options,
    TimeProvider time,
    ILogger<StorefrontResyncSchedule> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var push = options.Value.Push;
        if (push.ResyncOnStart)
        {
            await RequestAsync("startup", full: false, stoppingToken).ConfigureAwait(false);
        }

        if (push.ResyncInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(push.ResyncInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RequestAsync("schedule", full: false, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a <see cref="ResyncStorefront"/> through the outbox (also used by the operators' endpoint).</summary>
    public static async Task RequestAsync(IServiceProvider services, string requestedBy, bool full, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var publisher = services.GetRequiredService<IPublishEndpoint>();
        await publisher.Publish(new ResyncStorefront { Full = full, RequestedBy = requestedBy, RequestedAt = services.GetRequiredService<TimeProvider>().GetUtcNow() }, ct).ConfigureAwait(false);
        await services.GetRequiredService<StockSyncDbContext>().SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task RequestAsync(string requestedBy, bool full, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await RequestAsync(scope.ServiceProvider, requestedBy, full, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed request is retried at the next tick; the schedule must not stop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, requestedBy, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not request a storefront resync ({RequestedBy}); the next one is at the next interval")]
    private static partial void LogFailed(ILogger logger, string requestedBy, Exception exception);
}
