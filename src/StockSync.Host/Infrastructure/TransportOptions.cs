using System.ComponentModel.DataAnnotations;

namespace StockSync.Host.Infrastructure;

/// <summary>The <c>Transport</c> configuration section: which message broker the host uses.</summary>
public sealed class TransportOptions
{
    public const string Section = "Transport";

    /// <summary>InMemory (the embedded default: one process, nothing to install) or RabbitMq.</summary>
    public TransportKind Kind { get; set; } = TransportKind.InMemory;

    /// <summary>RabbitMQ connection settings, used when <see cref="Kind"/> is RabbitMq.</summary>
    public RabbitMqSettings RabbitMq { get; set; } = new();
}

/// <summary>The supported transports.</summary>
public enum TransportKind
{
    InMemory,
    RabbitMq,
}

/// <summary>How to reach RabbitMQ.</summary>
public sealed class RabbitMqSettings
{
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    [Required(AllowEmptyStrings = false)]
    public string VirtualHost { get; set; } = "/";

    [Required(AllowEmptyStrings = false)]
    public string Username { get; set; } = "guest";

    [Required(AllowEmptyStrings = false)]
    public string Password { get; set; } = "guest";

    /// <summary>Connect with TLS (AMQPS); the server name is <see cref="Host"/>.</summary>
    public bool UseTls { get; set; }

    /// <summary>Declare receive queues as quorum queues (replicated, the production choice).</summary>
    public bool QuorumQueues { get; set; } = true;
}
