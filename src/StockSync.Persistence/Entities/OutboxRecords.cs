using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace StockSync.Persistence.Entities;

/// <summary>
/// The inbox: one row per (transport message id, consumer) pair that has been consumed. The row is written in the
/// same transaction as the consumer's effects, so a redelivery (after a crash, a requeue or a duplicate publish)
/// finds it and is acknowledged without effects. Rows older than the duplicate-detection window are cleaned up.
/// </summary>
public sealed class InboxStateRecord
{
    public Guid MessageId { get; set; }

    /// <summary>Stable id of the consumer on its endpoint (MassTransit derives it from endpoint and consumer type).</summary>
    public Guid ConsumerId { get; set; }

    /// <summary>Readable name: <c>endpoint/consumer type</c>.</summary>
    public required string Consumer { get; set; }

    public DateTime ReceivedAt { get; set; }

    public DateTime ConsumedAt { get; set; }

    /// <summary>How many times the message arrived: 1, plus one per duplicate acknowledged without effects.</summary>
    public int ReceiveCount { get; set; }

    public DateTime? LastDuplicateAt { get; set; }
}

/// <summary>
/// The transactional outbox: a message published or sent while a transaction was open, stored in that transaction
/// and delivered to the broker after commit by the dispatcher. The row keeps everything MassTransit needs to send
/// it unchanged (same message id, headers and body), so a consumer's inbox deduplicates a re-send.
/// </summary>
public sealed class OutboxMessageRecord : OutboxMessageContext
{
    private Headers? _headers;
    private IReadOnlyDictionary<string, object>? _properties;

    /// <summary>Commit-independent order of insertion; delivery follows it within a conversation.</summary>
    public long SequenceNumber { get; set; }

    /// <summary>The dispatcher partition (from the conversation id), so one conversation is always delivered in order by one replica.</summary>
    public int Partition { get; set; }

    public Guid MessageId { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Guid? RequestId { get; set; }

    public Uri? SourceAddress { get; set; }

    public Uri? DestinationAddress { get; set; }

    public Uri? ResponseAddress { get; set; }

    public Uri? FaultAddress { get; set; }

    public DateTime SentTime { get; set; }

    public DateTime? ExpirationTime { get; set; }

    /// <summary>The message types it is published as (MassTransit URNs, <c>;</c>-separated).</summary>
    public required string MessageType { get; set; }

    public required string ContentType { get; set; }

    public required string Body { get; set; }

    /// <summary>MassTransit and application headers, as JSON.</summary>
    public string? Headers { get; set; }

    /// <summary>Transport properties (routing key and the like), as JSON.</summary>
    public string? Properties { get; set; }

    /// <summary>The consumed message that produced it, when it came from a consumer or saga.</summary>
    public Guid? InboxMessageId { get; set; }

    public Guid? InboxConsumerId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    /// <summary>Failed delivery attempts so far; the dispatcher backs off and keeps trying, in order.</summary>
    public int Attempts { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    public string? LastError { get; set; }

    Guid? MessageContext.MessageId => MessageId;

    DateTime? MessageContext.SentTime => SentTime;

    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;

    HostInfo MessageContext.Host => MassTransit.Metadata.HostMetadataCache.Host;

    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? EmptyProperties;

    private static readonly IReadOnlyDictionary<string, object> EmptyProperties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Turns the stored JSON headers and properties back into what the send pipe reads.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        var headers = deserializer.DeserializeDictionary<object?>(Headers);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers);
        _properties = deserializer.DeserializeDictionary<object>(Properties) ?? EmptyProperties;
    }
}

/// <summary>
/// One dispatcher partition and its lease. A replica delivers a partition's messages only while it holds the
/// lease, so no two replicas send the same message, and every conversation (one partition) is delivered in order.
/// </summary>
public sealed class OutboxPartitionRecord
{
    public int Partition { get; set; }

    public string? Owner { get; set; }

    public DateTime? LeaseUntil { get; set; }

    public DateTime? LastDispatchAt { get; set; }
}
