using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StockSync.Persistence;
using StockSync.Persistence.Leases;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>
/// The loop both inbound readers run: every interval, while the reader is configured, claim (or renew) its lease and
/// run one round; a round that fails is reported and the next interval tries again. Unconfigured, it idles and looks
/// at the settings again every 30 seconds.
/// </summary>
public abstract class ErpInboundLoop(IServiceScopeFactory scopes, IOptionsMonitor<ErpInboundOptions> options, TimeProvider time) : BackgroundService
{
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>The lease this reader holds in <c>dispatcher_leases</c>.</summary>
    protected abstract string LeaseName { get; }

    /// <summary>Creates scopes for the rounds.</summary>
    protected IServiceScopeFactory Scopes => scopes;

    /// <summary>The clock.</summary>
    protected TimeProvider Time => time;

    /// <summary>The current <c>Erp:Inbound</c> settings.</summary>
    protected ErpInboundOptions Settings => options.CurrentValue;

    /// <summary>Whether the reader is configured.</summary>
    protected abstract bool IsEnabled(ErpInboundOptions settings);

    /// <summary>The pause between rounds.</summary>
    protected abstract TimeSpan IntervalOf(ErpInboundOptions settings);

    /// <summary>One round.</summary>
    protected abstract Task RoundAsync(ErpInboundOptions settings, CancellationToken ct);

    /// <summary>Reports a failed round (its cursors or files are left as they were).</summary>
    protected abstract void OnRoundFailed(ErpInboundOptions settings, Exception failure);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            var enabled = IsEnabled(settings);
            if (enabled)
            {
                try
                {
                    if (await HoldLeaseAsync(settings, stoppingToken).ConfigureAwait(false))
                    {
                        await RoundAsync(settings, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The ERP is down, the folder unreadable, the database busy: nothing was taken; try again later.
                    OnRoundFailed(settings, ex);
                }
            }

            await Task.Delay(enabled ? IntervalOf(settings) : TimeSpan.FromSeconds(30), time, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> HoldLeaseAsync(ErpInboundOptions settings, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var now = time.GetUtcNow();
        // Long enough for a slow round; a replica that stops renewing hands over after this.
        var until = now + (IntervalOf(settings) * 3) + settings.RequestTimeout + TimeSpan.FromSeconds(30);
        return await DispatcherLeases.TryAcquireAsync(db, LeaseName, _owner, now.UtcDateTime, until.UtcDateTime, ct).ConfigureAwait(false);
    }
}
