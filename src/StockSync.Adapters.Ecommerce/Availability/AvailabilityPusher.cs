using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence.Telemetry;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>
/// Pushes the storefront channel's availability, one inventory level per call, from the <see cref="AvailabilityCoalescer"/>:
/// <list type="bullet">
/// <item>every call first takes its place in a leaky bucket (<c>Ecommerce:Push:RequestsPerSecond</c>, <c>Burst</c>);</item>
/// <item>it sends the newest value of its key at the moment it goes (a value that was overtaken while waiting is never sent);</item>
/// <item>a 429 pauses the whole pusher until its Retry-After has passed (then it resumes at the bucket's pace), and the
/// key keeps its newest value;</item>
/// <item>an unavailable storefront (5xx, timeout, refused connection) pauses it with exponential backoff;</item>
/// <item>a value the storefront refuses (another 4xx) is retried with backoff, then given up until the key changes or a
/// resync offers it again.</item>
/// </list>
/// One call at a time: the storefront's rate limit, not StockSync, sets the pace.
/// </summary>
public sealed partial class AvailabilityPusher(
    AvailabilityCoalescer coalescer,
    IStorefrontClient client,
    IServiceScopeFactory scopes,
    StorefrontPushStatus status,
    IOptions<EcommerceOptions> options,
    TimeProvider time,
    ILogger<AvailabilityPusher> logger) : BackgroundService
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(30);
    private int _consecutiveFailures;

    private AvailabilityPushOptions Push => options.Value.Push;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var bucket = new LeakyBucket(Push.RequestsPerSecond, Push.Burst, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PushNextAsync(bucket, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The pusher must outlive any one failure (a database hiccup while mapping).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogLoopFailed(logger, ex);
                await Task.Delay(Push.RetryDelay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits for the pause, a due key and the bucket, then pushes that key's newest value.</summary>
    internal async Task PushNextAsync(LeakyBucket bucket, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (status.PausedUntil is { } until && until > now)
        {
            await Task.Delay(until - now, time, ct).ConfigureAwait(false);
            return;
        }

        status.PausedUntil = null;
        var changed = coalescer.WhenChanged();
        var due = coalescer.NextDueIn(now);
        if (due is null || due > TimeSpan.Zero)
        {
            await AvailabilityCoalescer.WaitAsync(changed, due ?? IdleWait, time, ct).ConfigureAwait(false);
            return;
        }

        if (coalescer.TryTake(now) is not { } taken)
        {
            return;
        }

        try
        {
            await PushAsync(bucket, taken, ct).ConfigureAwait(false);
        }
        catch
        {
            // Whatever went wrong (the mapping lookup, a client bug, shutdown), the key is handed back: a key left in
            // flight would never be pushed again, not even by a resync.
            coalescer.Retry(taken.Key, time.GetUtcNow() + Push.RetryDelay, countAttempt: false);
            throw;
        }
    }

    /// <summary>Looks up where <paramref name="taken"/> lives at the storefront and pushes its newest value there.</summary>
    private async Task PushAsync(LeakyBucket bucket, PendingPush taken, CancellationToken ct)
    {
        // A child of the consume that offered the value: the storefront call below joins the trace of the change.
        using var activity = StockSyncTelemetry.ActivitySource.StartActivity("storefront push", ActivityKind.Internal, taken.Origin);
        activity?.SetTag(StockSyncTelemetry.Tags.Sku, taken.Key.Sku);
        activity?.SetTag(StockSyncTelemetry.Tags.LocationId, taken.Key.LocationId);
        activity?.SetTag(StockSyncTelemetry.Tags.Channel, options.Value.ChannelId);

        IReadOnlyList<StorefrontTarget> targets;
        await using (var scope = scopes.CreateAsyncScope())
        {
            targets = await scope.ServiceProvider.GetRequiredService<IStorefrontKeys>().TargetsAsync(taken.Key, ct).ConfigureAwait(false);
        }

        if (targets.Count == 0)
        {
            // Not sold in the storefront (or not mapped yet): skipped and counted, not an error. A mapping added later
            // takes effect with the key's next change or the next resync.
            status.UnknownKey();
            coalescer.Drop(taken.Key, taken.Version);
            LogUnknownKey(logger, taken.Key.Sku, taken.Key.LocationId);
            return;
        }

        var push = taken;
        foreach (var target in targets)
        {
            await bucket.AcquireAsync(ct).ConfigureAwait(false);
            push = coalescer.Refresh(push);
            var result = await client.SetAvailableAsync(target.InventoryItemId, target.LocationId, target.ToExternal(push.Quantity), ct).ConfigureAwait(false);
            if (result.Outcome != StorefrontOutcome.Ok)
            {
                activity?.SetStatus(ActivityStatusCode.Error, $"{result.Outcome}: {result.Error}");
                Failed(push, target, result);
                return;
            }
        }

        _consecutiveFailures = 0;
        activity?.SetTag("stocksync.version", push.Version);
        activity?.SetTag("stocksync.quantity", push.Quantity);
        coalescer.Complete(push.Key, push.Version);
        status.Pushed(push.ChangedAt is { } changedAt ? time.GetUtcNow() - changedAt : null);
        LogPushed(logger, push.Key.Sku, push.Key.LocationId, push.Quantity, push.Version);
    }

    private void Failed(PendingPush push, StorefrontTarget target, StorefrontResult result)
    {
        var now = time.GetUtcNow();
        switch (result.Outcome)
        {
            case StorefrontOutcome.Throttled:
                {
                    // The whole pusher waits: every call goes to the same storefront, under the same limit.
                    var pause = result.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero ? retryAfter : Push.DefaultRetryAfter;
                    status.Throttled();
                    status.PausedUntil = now + pause;
                    coalescer.Retry(push.Key, now, countAttempt: false);
                    LogThrottled(logger, pause.TotalSeconds, push.Key.Sku, push.Key.LocationId);
                    break;
                }

            case StorefrontOutcome.Unavailable:
                {
                    _consecutiveFailures++;
                    var pause = Backoff(_consecutiveFailures);
                    if (result.RetryAfter is { } retryAfter && retryAfter > pause)
                    {
                        pause = retryAfter;
                    }

                    status.Failed(result.Error ?? "unavailable");
                    status.PausedUntil = now + pause;
                    coalescer.Retry(push.Key, now, countAttempt: false);
                    LogUnavailable(logger, result.Error, pause.TotalSeconds, _consecutiveFailures);
                    break;
                }

            default:
                {
                    status.Failed(result.Error ?? "refused");
                    var attempts = push.Attempts + 1;
                    if (attempts >= Push.MaxAttemptsWhenRefused)
                    {
                        status.GaveUp();
                        coalescer.Drop(push.Key, push.Version);
                        LogGaveUp(logger, push.Key.Sku, push.Key.LocationId, target.InventoryItemId, target.LocationId, attempts, result.Error);
                    }
                    else
                    {
                        coalescer.Retry(push.Key, now + Backoff(attempts));
                        LogRefused(logger, push.Key.Sku, push.Key.LocationId, attempts, result.Error);
                    }

                    break;
                }
        }
    }

    /// <summary><c>RetryDelay</c> doubled per further failure, capped at <c>MaxRetryDelay</c>.</summary>
    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(Push.RetryDelay.Ticks * factor, Push.MaxRetryDelay.Ticks));
        return delay < Push.MaxRetryDelay ? delay : Push.MaxRetryDelay;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storefront availability of {Sku} at {LocationId} set to {Quantity} (version {Version})")]
    private static partial void LogPushed(ILogger logger, string sku, string locationId, int quantity, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The storefront has no id for {Sku} at {LocationId}: skipped")]
    private static partial void LogUnknownKey(ILogger logger, string sku, string locationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The storefront throttled availability pushes (429): pausing for {Seconds} s ({Sku} at {LocationId} keeps its newest value)")]
    private static partial void LogThrottled(ILogger logger, double seconds, string sku, string locationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The storefront is unavailable ({Error}): pausing availability pushes for {Seconds} s (failure {Failures} in a row)")]
    private static partial void LogUnavailable(ILogger logger, string? error, double seconds, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The storefront refused the availability of {Sku} at {LocationId} (attempt {Attempts}): {Error}")]
    private static partial void LogRefused(ILogger logger, string sku, string locationId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The storefront refused the availability of {Sku} at {LocationId} (inventory item {InventoryItemId}, location {StorefrontLocationId}) {Attempts} times: given up until it changes again. Last error: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string sku, string locationId, long inventoryItemId, long storefrontLocationId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The availability pusher failed; it carries on")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
