using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Telemetry;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// What the dispatcher's delivery of one outbox row reports: an <c>outbox deliver</c> span that continues the trace
/// the row was stored in (the trace context MassTransit wrote into the row's headers), and, for an
/// <c>AvailabilityChanged</c>, the sale-to-availability latency.
/// </summary>
internal static class OutboxTelemetry
{
    /// <summary>MassTransit's header with the W3C id of the span that published the message (its <c>DiagnosticHeaders.ActivityId</c>).</summary>
    public const string ActivityIdHeader = MassTransit.Logging.DiagnosticHeaders.ActivityId;

    private const string AvailabilityChangedType = "urn:message:StockSync.Contracts.Inventory:AvailabilityChanged";

    /// <summary>
    /// Starts the delivery span as a child of the span that stored the row, so the broker send (and everything the
    /// consumers do) stays in the original trace although the dispatcher sends later, from its own loop. Returns
    /// null when nobody listens; then <see cref="Activity.Current"/> is cleared for the send, so MassTransit itself
    /// takes the parent from the row's headers.
    /// </summary>
    public static Activity? StartDeliver(OutboxMessageRecord message, AvailabilityFacts? availability)
    {
        var parent = ParentOf(message);
        var activity = StockSyncTelemetry.ActivitySource.StartActivity("outbox deliver", ActivityKind.Internal, parent);
        if (activity is null)
        {
            Activity.Current = null;
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("messaging.message.id", message.MessageId.ToString("D"));
            activity.SetTag("messaging.destination.name", message.DestinationAddress?.AbsolutePath.TrimStart('/'));
            activity.SetTag("stocksync.outbox.sequence_number", message.SequenceNumber);
            activity.SetTag("stocksync.outbox.partition", message.Partition);
            activity.SetTag("stocksync.outbox.attempt", message.Attempts + 1);
            if (availability is not null)
            {
                activity.SetTag(StockSyncTelemetry.Tags.Sku, availability.Sku);
                activity.SetTag(StockSyncTelemetry.Tags.LocationId, availability.LocationId);
            }
        }

        return activity;
    }

    /// <summary>The key and the newest movement's occurred-at of an <c>AvailabilityChanged</c> row; null for any other message.</summary>
    public static AvailabilityFacts? AvailabilityOf(OutboxMessageRecord message)
    {
        if (!message.MessageType.Split(';').Contains(AvailabilityChangedType, StringComparer.Ordinal))
        {
            return null;
        }

        try
        {
            using var body = JsonDocument.Parse(message.Body);
            if (!body.RootElement.TryGetProperty("message", out var changed)
                || !changed.TryGetProperty("latestMovementOccurredAt", out var occurred)
                || !occurred.TryGetDateTimeOffset(out var occurredAt))
            {
                return null;
            }

            return new AvailabilityFacts(Text(changed, "sku"), Text(changed, "locationId"), occurredAt);
        }
        catch (JsonException)
        {
            return null; // not the JSON envelope: no latency to report, the delivery goes on
        }
    }

    private static ActivityContext ParentOf(OutboxMessageRecord message) =>
        ((MessageContext)message).Headers.Get<string>(ActivityIdHeader) is { } id && ActivityContext.TryParse(id, null, isRemote: true, out var parent)
            ? parent
            : default;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>What the dispatcher reads from an <c>AvailabilityChanged</c> it delivers.</summary>
internal sealed record AvailabilityFacts(string? Sku, string? LocationId, DateTimeOffset LatestMovementOccurredAt);
