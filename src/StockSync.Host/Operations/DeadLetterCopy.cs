using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using StockSync.Persistence.Operations;

namespace StockSync.Host.Operations;

/// <summary>
/// Reads a message taken from an error queue into a <see cref="DeadLetterRecord"/>: the fault from MassTransit's
/// <c>MT-Fault-*</c> headers, the ids and the message type from the envelope; and gives a dead letter's headers back for
/// its replay, without the fault.
/// </summary>
internal static class DeadLetterCopy
{
    public static DeadLetterRecord Read(BasicGetResult message, string sourceQueue, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(message);
        var properties = message.BasicProperties;
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        var body = Encoding.UTF8.GetString(message.Body.Span);
        var envelope = Envelope(body);

        string? Header(string name) => headers.TryGetValue(name, out var value) ? Text(value) : null;
        string? Member(string name) => envelope?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

        var messageType = envelope?["messageType"] is JsonArray types && types.Count > 0 && types[0] is JsonValue first && first.TryGetValue<string>(out var urn)
            ? urn
            : Header("MT-Fault-MessageType") ?? properties.Type;
        var orderId = envelope?["message"]?["orderId"] is JsonValue order ? order.ToString() : null;
        return new DeadLetterRecord
        {
            MessageId = properties.MessageId ?? Member("messageId") ?? $"no-id:{Guid.NewGuid():N}",
            MessageType = messageType,
            SourceQueue = sourceQueue,
            Body = body,
            ContentType = properties.ContentType,
            Headers = HeadersJson(headers),
            ExceptionType = Header("MT-Fault-ExceptionType"),
            ExceptionMessage = Header("MT-Fault-Message") ?? Header("MT-Reason"),
            StackTrace = Header("MT-Fault-StackTrace"),
            LastFailedAt = Microseconds(FaultTime(headers.TryGetValue("MT-Fault-Timestamp", out var stamp) ? stamp : null) ?? now),
            CorrelationId = Member("correlationId") ?? properties.CorrelationId,
            ConversationId = Member("conversationId"),
            OrderId = orderId,
            Status = DeadLetterStatus.Open,
        };
    }

    /// <summary>The headers to replay with: those recorded, except the fault MassTransit added when it moved the message.</summary>
    public static Dictionary<string, object?> ReplayHeaders(string headersJson)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (JsonNode.Parse(headersJson) is not JsonObject recorded)
        {
            return headers;
        }

        foreach (var (name, value) in recorded)
        {
            if (name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "MT-Reason", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            headers[name] = Value(value);
        }

        return headers;
    }

    private static JsonObject? Envelope(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // not a JSON envelope: kept as it is, without ids
        }
    }

    private static string HeadersJson(IDictionary<string, object?> headers)
    {
        var json = new JsonObject();
        foreach (var (name, value) in headers)
        {
            json[name] = Node(value);
        }

        return json.ToJsonString();
    }

    private static JsonNode? Node(object? value) => value switch
    {
        null => null,
        byte[] bytes => JsonValue.Create(Encoding.UTF8.GetString(bytes)),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int or long or short or byte or sbyte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        float or double or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        AmqpTimestamp timestamp => JsonValue.Create(timestamp.UnixTime),
        IDictionary<string, object?> table => new JsonObject(table.Select(p => KeyValuePair.Create(p.Key, Node(p.Value)))),
        IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(Node)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static object? Value(JsonNode? node) => node switch
    {
        null => null,
        JsonObject table => table.ToDictionary(p => p.Key, p => Value(p.Value)),
        JsonArray list => list.Select(Value).ToList(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        JsonValue value when value.TryGetValue<long>(out var number) => number,
        JsonValue value when value.TryGetValue<double>(out var real) => real,
        _ => node.ToString(),
    };

    private static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static DateTime? FaultTime(object? value) => value switch
    {
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime).UtcDateTime,
        DateTime time => time.ToUniversalTime(),
        _ when Text(value) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed.UtcDateTime,
        _ => null,
    };

    /// <summary>PostgreSQL keeps microseconds: a timestamp compared after a round trip must not carry finer ticks.</summary>
    private static DateTime Microseconds(DateTime time) => new(time.Ticks - (time.Ticks % 10), DateTimeKind.Utc);
}
