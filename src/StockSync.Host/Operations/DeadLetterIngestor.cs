using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using StockSync.Host.Infrastructure;
using StockSync.Persistence.Operations;

namespace StockSync.Host.Operations;

/// <summary>
/// Drains the <c>_error</c> queue of every receive endpoint of this host into <c>dead_letters</c>, every
/// <see cref="DeadLetterOptions.PollInterval"/>, on RabbitMQ only. Each message is recorded and committed before it
/// is acknowledged (at least once): a copy redelivered after a crash between the two is recognised by its message id,
/// queue and fault timestamp and not counted twice. Replicas may drain the same queues at once; each message goes to
/// one of them, and the table's unique key settles copies.
/// </summary>
internal sealed partial class DeadLetterIngestor(
    IServiceScopeFactory scopes,
    DeadLetterSources sources,
    DeadLetterBroker broker,
    IOptions<DeadLetterOptions> options,
    IOptions<TransportOptions> transport,
    TimeProvider time,
    ILogger<DeadLetterIngestor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        if (transport.Value.Kind != TransportKind.RabbitMq)
        {
            LogInMemory(logger, transport.Value.Kind);
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        try
        {
            do
            {
                try
                {
                    await DrainAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex.Message, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One pass over every error queue; returns how many messages were taken off them.</summary>
    internal async Task<int> DrainAsync(CancellationToken ct)
    {
        var connection = await broker.ConnectionAsync(ct);
        var taken = 0;
        foreach (var queue in sources.Queues)
        {
            taken += await DrainAsync(connection, queue, ct);
        }

        return taken;
    }

    private async Task<int> DrainAsync(IConnection connection, string queue, CancellationToken ct)
    {
        var errorQueue = queue + DeadLetterSources.ErrorSuffix;
        // A channel per queue: asking for a queue that does not exist closes the channel.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await channel.QueueDeclarePassiveAsync(errorQueue, ct);
        }
        catch (OperationInterruptedException)
        {
            return 0; // not declared: MassTransit declares an error queue with the endpoint's first fault
        }

        var taken = 0;
        while (await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is { } message)
        {
            var failure = DeadLetterCopy.Read(message, queue, time.GetUtcNow().UtcDateTime);
            DeadLetterIngestOutcome outcome;
            await using (var scope = scopes.CreateAsyncScope())
            {
                outcome = await scope.ServiceProvider.GetRequiredService<DeadLetterStore>().RecordFailureAsync(failure, ct);
            }

            // Acknowledged only once the row is committed; if this process stops first, the broker redelivers it.
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
            taken++;
            LogRecorded(logger, failure.MessageId, queue, outcome, failure.ExceptionType, failure.ExceptionMessage);
        }

        return taken;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letters are not ingested: Operations:DeadLetters:Enabled is false; faulted messages stay in the _error queues")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letters are not ingested on the {Transport} transport: its error queues live in this process only; the ingestor runs on RabbitMQ")]
    private static partial void LogInMemory(ILogger logger, TransportKind transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {MessageId} from {Queue}: {Outcome} ({ExceptionType}: {ExceptionMessage})")]
    private static partial void LogRecorded(ILogger logger, string messageId, string queue, DeadLetterIngestOutcome outcome, string? exceptionType, string? exceptionMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-letter ingestion failed; retrying at the next poll: {Error}")]
    private static partial void LogFailed(ILogger logger, string error, Exception exception);
}
