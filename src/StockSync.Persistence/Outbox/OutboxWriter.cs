using MassTransit;
using MassTransit.Serialization;
using MassTransit.Context;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Outbox;

/// <summary>Turns a MassTransit send context into an outbox row tracked by the DbContext (saved with the transaction).</summary>
internal static class OutboxWriter
{
    public static OutboxMessageRecord Add<T>(StockSyncDbContext db, SendContext<T> context, int partitions, DateTime now, Guid? inboxMessageId = null, Guid? inboxConsumerId = null)
        where T : class
    {
        var messageId = context.MessageId ?? throw new MessageException(typeof(T), "An outbox message needs a MessageId.");
        // MassTransit writes the trace context when its own send span was started; where it was not (no MassTransit log
        // context in this flow), the span that stores the row is the parent, so the dispatcher's send continues its trace.
        if (!context.Headers.TryGetHeader(OutboxTelemetry.ActivityIdHeader, out _) && System.Diagnostics.Activity.Current?.Id is { } activityId)
        {
            context.Headers.Set(OutboxTelemetry.ActivityIdHeader, activityId);
        }

        var body = context.Serializer.GetMessageBody(context);
        var record = new OutboxMessageRecord
        {
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime?.ToUniversalTime() ?? now,
            ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = body.GetString(),
            Headers = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(context.Headers.GetAll()),
            Partition = PartitionOf(context.ConversationId ?? messageId, partitions),
            InboxMessageId = inboxMessageId,
            InboxConsumerId = inboxConsumerId,
            CreatedAt = now,
        };

        if (context is TransportSendContext<T> transport)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(properties);
            record.Properties = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(properties);
        }

        // Consumers may publish from several tasks at once; the change tracker is not thread-safe.
        lock (db.OutboxGate)
        {
            db.OutboxMessages.Add(record);
            db.OutboxRowsPending = true;
        }

        return record;
    }

    /// <summary>A stable partition for a conversation (FNV-1a over the id's bytes).</summary>
    public static int PartitionOf(Guid conversation, int partitions)
    {
        Span<byte> bytes = stackalloc byte[16];
        conversation.TryWriteBytes(bytes);
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return (int)(hash % (uint)Math.Max(1, partitions));
    }
}
