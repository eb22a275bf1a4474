using System.Text;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using StockSync.Host.Infrastructure;
using StockSync.Persistence.Operations;

namespace StockSync.Host.Operations;

/// <summary>
/// The dead letters' own RabbitMQ connection (the host's <c>Transport:RabbitMq</c> settings), opened on first use: the
/// ingestor reads the error queues through it, and replays are sent through it.
/// </summary>
internal sealed class DeadLetterBroker(IOptions<RabbitMqSettings> settings) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    /// <summary>The connection, opened (again) when there is none or it was closed for good.</summary>
    public async Task<IConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_connection is { IsOpen: true } opened)
            {
                return opened;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var rabbit = settings.Value;
            var factory = new ConnectionFactory
            {
                HostName = rabbit.Host,
                Port = rabbit.Port,
                VirtualHost = rabbit.VirtualHost,
                UserName = rabbit.Username,
                Password = rabbit.Password,
                ClientProvidedName = "stocksync-dead-letters",
                AutomaticRecoveryEnabled = true,
            };
            if (rabbit.UseTls)
            {
                factory.Ssl = new SslOption { Enabled = true, ServerName = rabbit.Host };
            }

            _connection = await factory.CreateConnectionAsync(ct);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Sends a dead letter back to its endpoint's queue through the default exchange: the body and content type as they
    /// were, the headers without the fault MassTransit added (<c>MT-Fault-*</c>, <c>MT-Reason</c>, <c>MT-Host-*</c>),
    /// persistent, mandatory and confirmed by the broker; it throws when the broker refuses or cannot route it.
    /// </summary>
    public async Task ReplayAsync(DeadLetterRecord letter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var connection = await ConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var properties = new BasicProperties
        {
            ContentType = letter.ContentType,
            MessageId = letter.MessageId,
            CorrelationId = letter.CorrelationId,
            Persistent = true,
            Headers = DeadLetterCopy.ReplayHeaders(letter.Headers),
        };
        await channel.BasicPublishAsync(string.Empty, letter.SourceQueue, mandatory: true, properties, Encoding.UTF8.GetBytes(letter.Body), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}
