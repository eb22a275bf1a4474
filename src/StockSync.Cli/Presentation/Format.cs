using System.Globalization;
using System.Text.Json.Nodes;

namespace StockSync.Cli.Presentation;

/// <summary>How the tables show the host's values: UTC times to the second, durations in two units, short type names.</summary>
public static class Format
{
    /// <summary>The longest text a table cell shows before it is cut with "...".</summary>
    public const int MaxCell = 60;

    /// <summary>A member as text (strings as they are, numbers and booleans invariant), or null when missing or null.</summary>
    public static string? Text(JsonNode? node, string name) => node?[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        var other => other.ToJsonString(),
    };

    /// <summary>A numeric member, or null.</summary>
    public static long? Number(JsonNode? node, string name) =>
        node?[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    /// <summary>An ISO-8601 time as <c>2026-11-23 20:14:45Z</c> (UTC), or null.</summary>
    public static string? Time(JsonNode? node, string name) =>
        Text(node, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : Text(node, name);

    /// <summary>Seconds as the two largest units: <c>45s</c>, <c>3m 12s</c>, <c>5h 0m</c>, <c>2d 3h</c>; negative with a minus sign.</summary>
    public static string Duration(long seconds)
    {
        var sign = seconds < 0 ? "-" : string.Empty;
        var s = Math.Abs(seconds);
        return sign + (s switch
        {
            < 60 => $"{s}s",
            < 3600 => $"{s / 60}m {s % 60}s",
            < 86400 => $"{s / 3600}h {s % 3600 / 60}m",
            _ => $"{s / 86400}d {s % 86400 / 3600}h",
        });
    }

    /// <summary>A numeric member of seconds as a <see cref="Duration(long)"/>, or null.</summary>
    public static string? Duration(JsonNode? node, string name) => Number(node, name) is { } seconds ? Duration(seconds) : null;

    /// <summary>A number with its sign: <c>+3</c>, <c>-2</c>, <c>0</c>.</summary>
    public static string WithSign(long value) => value > 0 ? $"+{value}" : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A .NET type name without its namespace (<c>StockSync.X.UnmappedIdException</c> → <c>UnmappedIdException</c>).</summary>
    public static string? ShortType(string? type) => type is null ? null : type[(type.LastIndexOf('.') + 1)..];

    /// <summary>A MassTransit message type without its URN and namespace (<c>urn:message:StockSync.Contracts.Orders:ReserveForPickup</c> → <c>ReserveForPickup</c>).</summary>
    public static string? ShortMessageType(string? type) => type is null ? null : type[(type.LastIndexOf(':') + 1)..];

    /// <summary>Text cut to <paramref name="max"/> characters with "..." at the end.</summary>
    public static string? Cut(string? text, int max = MaxCell)
    {
        if (text is null)
        {
            return null;
        }

        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 3), "...");
    }
}
