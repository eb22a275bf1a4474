using MassTransit;
using StockSync.Inventory;
using StockSync.Persistence;

namespace StockSync.Host.Apis;

/// <summary>
/// What the order APIs share: publishing a command or store event through the bus outbox (the save makes it durable),
/// and answering either at once (202, the state before the action) or, with <c>?wait=seconds</c>, once the saga has
/// acted on it (200, the new state).
/// </summary>
internal static class OrderApiSupport
{
    /// <summary>The longest <c>wait</c> a request may ask for, in seconds.</summary>
    public const int MaxWaitSeconds = 30;

    public static IResult? CheckWait(int? wait) =>
        wait is < 0 or > MaxWaitSeconds
            ? Problems.Validation(Problems.InvalidInput, "Invalid query.", [new ValidationProblem("wait", $"Wait between 0 and {MaxWaitSeconds} seconds.")])
            : null;

    /// <summary>
    /// Publishes <paramref name="message"/> through the bus outbox and saves; then, for up to <paramref name="wait"/>
    /// seconds, reads the saga until its version differs from <paramref name="versionBefore"/> (null: until it exists).
    /// </summary>
    public static async Task<IResult> PublishAndAnswerAsync<TView>(
        object message,
        string location,
        int? versionBefore,
        TView? viewBefore,
        Func<CancellationToken, Task<TView?>> read,
        Func<TView, int> version,
        int? wait,
        IPublishEndpoint publisher,
        StockSyncDbContext db,
        CancellationToken ct)
        where TView : class
    {
        await publisher.Publish(message, message.GetType(), ct);
        await db.SaveChangesAsync(ct);

        if (wait is > 0)
        {
            var until = DateTime.UtcNow.AddSeconds(wait.Value);
            while (DateTime.UtcNow < until)
            {
                if (await read(ct) is { } now && (versionBefore is null || version(now) != versionBefore))
                {
                    return TypedResults.Ok(now);
                }

                await Task.Delay(50, ct);
            }
        }

        return TypedResults.Accepted(location, viewBefore);
    }
}
