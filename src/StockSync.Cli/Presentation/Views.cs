using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static StockSync.Cli.Presentation.Format;

namespace StockSync.Cli.Presentation;

/// <summary>
/// The readable form of each ops API answer: tables and labelled blocks from the host's JSON. Pure functions of the
/// JSON, so that they are tested from sample answers; <c>--json</c> bypasses them.
/// </summary>
public static class Views
{
    /// <summary><c>GET /ops/sagas/by-state</c>.</summary>
    public static string SagasByState(JsonNode json)
    {
        var table = new TextTable("SAGA", "STATE", ">INSTANCES", "OLDEST CHANGE", "NEWEST CHANGE");
        foreach (var row in Rows(json))
        {
            table.Add(Text(row, "saga"), Text(row, "currentState"), Text(row, "instances"), Time(row, "oldestChangeAt"), Time(row, "newestChangeAt"));
        }

        return table.ToString();
    }

    /// <summary><c>GET /ops/sagas</c>.</summary>
    public static string Sagas(JsonNode json)
    {
        var table = new TextTable("SAGA", "CORRELATION ID", "STATE", "CREATED", "UPDATED", ">IN STATE");
        foreach (var row in Rows(json))
        {
            table.Add(Text(row, "saga"), Text(row, "correlationId"), Text(row, "currentState"), Time(row, "createdAt"), Time(row, "updatedAt"), Duration(row, "secondsInState"));
        }

        return table.ToString();
    }

    /// <summary><c>GET /ops/sagas/stuck</c>.</summary>
    public static string Stuck(JsonNode json)
    {
        var table = new TextTable("SAGA", "CORRELATION ID", "STATE", "UPDATED", ">IN STATE", ">STUCK AFTER");
        foreach (var row in Rows(json))
        {
            table.Add(Text(row, "saga"), Text(row, "correlationId"), Text(row, "currentState"), Time(row, "updatedAt"), Duration(row, "secondsInState"), Duration(row, "stuckAfterSeconds"));
        }

        return table.ToString();
    }

    /// <summary><c>GET /ops/deadlines</c>: overdue as a duration, or "in ..." for a deadline still ahead.</summary>
    public static string Deadlines(JsonNode json)
    {
        var table = new TextTable("SAGA", "CORRELATION ID", "STATE", "DEADLINE", "DUE AT", ">OVERDUE", "FIRED AT");
        foreach (var row in Rows(json))
        {
            var overdue = Number(row, "secondsOverdue") is { } seconds ? seconds < 0 ? $"in {Duration(-seconds)}" : Duration(seconds) : null;
            table.Add(Text(row, "saga"), Text(row, "correlationId"), Text(row, "currentState"), Text(row, "deadline"), Time(row, "dueAt"), overdue, Time(row, "firedAt"));
        }

        return table.ToString();
    }

    /// <summary><c>GET /ops/sagas/lookup</c>: each instance with its row, then the ledger movements, messages and dead letters.</summary>
    public static string Lookup(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Order: {Text(json, "orderId") ?? "-"}\n");
        foreach (var instance in Rows(json["instances"]))
        {
            text.Append('\n')
                .Append(CultureInfo.InvariantCulture, $"{Text(instance, "saga")} {Text(instance, "correlationId")}: {Text(instance, "currentState")}")
                .Append(CultureInfo.InvariantCulture, $" (created {Time(instance, "createdAt")}, updated {Time(instance, "updatedAt")})\n");
            if (instance?["row"] is JsonObject row)
            {
                text.Append(Block(row.Select(p => (p.Key, Value(p.Value))), indent: "  "));
            }
        }

        var ledger = new TextTable(">ID", "SKU", "LOCATION", "MOVEMENT", "SOURCE", "DELTA", "OCCURRED");
        foreach (var row in Rows(json["ledger"]))
        {
            ledger.Add(
                Text(row, "id"), Text(row, "sku"), Text(row, "locationId"), Text(row, "movementType"), $"{Text(row, "sourceSystem")}/{Text(row, "sourceMessageId")}",
                Deltas(row, ("onHand", "onHandDelta"), ("reserved", "reservedDelta"), ("allocated", "allocatedDelta"), ("quarantine", "quarantineDelta"), ("damaged", "damagedDelta")),
                Time(row, "occurredAt"));
        }

        var messages = new TextTable("MESSAGE", "CREATED", "DELIVERED", ">ATTEMPTS", "LAST ERROR");
        foreach (var row in Rows(json["messages"]))
        {
            messages.Add(ShortMessageType(Text(row, "messageType")), Time(row, "createdAt"), Time(row, "deliveredAt"), Text(row, "attempts"), Cut(Text(row, "lastError")));
        }

        text.Append("\nLedger movements\n").Append(ledger)
            .Append("\nMessages (outbox)\n").Append(messages)
            .Append("\nDead letters\n").Append(DeadLetterTable(json["deadLetters"], withOrder: false));
        return text.ToString();
    }

    /// <summary><c>GET /ops/dead-letters</c>.</summary>
    public static string DeadLetters(JsonNode json) => DeadLetterTable(json, withOrder: true).ToString();

    /// <summary><c>GET /ops/dead-letters/groups</c>.</summary>
    public static string DeadLetterGroups(JsonNode json)
    {
        var table = new TextTable("QUEUE", "EXCEPTION", "MESSAGE", ">LETTERS", ">FAILURES", "FIRST FAILED", "LAST FAILED");
        foreach (var row in Rows(json))
        {
            table.Add(Text(row, "sourceQueue"), ShortType(Text(row, "exceptionType")), Cut(Text(row, "exceptionMessage")), Text(row, "deadLetters"), Text(row, "failures"), Time(row, "firstFailedAt"), Time(row, "lastFailedAt"));
        }

        return table.ToString();
    }

    /// <summary><c>GET /ops/dead-letters/{id}</c>: every field, then the exception, the stack trace and the body.</summary>
    public static string DeadLetter(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var text = new StringBuilder(Block(
        [
            ("Dead letter", Text(json, "id")),
            ("Status", Text(json, "status")),
            ("Queue", Text(json, "sourceQueue")),
            ("Message type", Text(json, "messageType")),
            ("Message id", Text(json, "messageId")),
            ("Order id", Text(json, "orderId")),
            ("Correlation id", Text(json, "correlationId")),
            ("Conversation id", Text(json, "conversationId")),
            ("Failures", Text(json, "failureCount")),
            ("First failed", Time(json, "firstFailedAt")),
            ("Last failed", Time(json, "lastFailedAt")),
            ("Replays", Text(json, "replayCount")),
            ("Last replayed", Text(json, "replayedAt") is null ? null : $"{Time(json, "replayedAt")} by {Text(json, "replayedBy")}"),
            ("Discarded", Text(json, "discardedAt") is null ? null : $"{Time(json, "discardedAt")} by {Text(json, "discardedBy")}: {Text(json, "discardReason")}"),
            ("Exception", Text(json, "exceptionType")),
        ], indent: string.Empty));
        text.Append("\nException message\n").Append(Indented(Text(json, "exceptionMessage")))
            .Append("\nStack trace\n").Append(Indented(Text(json, "stackTrace")))
            .Append(CultureInfo.InvariantCulture, $"\nBody ({Text(json, "contentType") ?? "no content type"})\n").Append(Indented(PrettyBody(Text(json, "body"))));
        return text.ToString();
    }

    /// <summary><c>POST /ops/dead-letters/{id}/replay</c> or <c>/discard</c>: what the dead letter is now.</summary>
    public static string DeadLetterAction(JsonNode json) => Text(json, "status") switch
    {
        "Replayed" => $"Dead letter {Text(json, "id")} replayed to {Text(json, "sourceQueue")} by {Text(json, "replayedBy")} at {Time(json, "replayedAt")} (replay {Text(json, "replayCount")}). It opens again if it fails again.\n",
        "Discarded" => $"Dead letter {Text(json, "id")} discarded by {Text(json, "discardedBy")} at {Time(json, "discardedAt")}: {Text(json, "discardReason")}\n",
        var status => $"Dead letter {Text(json, "id")} is {status}.\n",
    };

    /// <summary><c>POST /erp/snapshots/fetch</c> (202): the snapshot the host fetched.</summary>
    public static string SnapshotFetched(JsonNode json) =>
        $"Fetched ERP snapshot {Text(json, "snapshotId")} taken at {Time(json, "takenAt")}: {Text(json, "lines")} lines in {Text(json, "parts")} part(s).\n" +
        $"Its comparison is ready once every part is stored: stocksync reconciliation report --snapshot-id {Text(json, "snapshotId")}\n";

    /// <summary>
    /// <c>GET /erp/reconciliation</c>: the summary and the largest mismatches, each with the ERP postings still pending at
    /// the snapshot's instant (a mismatch with pending postings may close by itself once the ERP books them).
    /// </summary>
    public static string Reconciliation(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var text = new StringBuilder(Block(
        [
            ("Snapshot", Text(json, "snapshotId")),
            ("Source", Text(json, "source")),
            ("Taken at", Time(json, "takenAt")),
            ("Complete", json["complete"]?.GetValue<bool>() == true ? "yes" : "no (parts missing)"),
            ("Keys compared", Text(json, "keysCompared")),
            ("Mismatches", Text(json, "mismatches")),
            ("Units off", Text(json, "unitsOff")),
            ("With postings pending", Text(json, "mismatchesWithPendingPostings")),
        ], indent: string.Empty));
        var table = new TextTable("SKU", "LOCATION", ">SNAPSHOT", ">STOCKSYNC", ">DELTA", ">PENDING POSTINGS");
        foreach (var row in Rows(json["largest"]))
        {
            table.Add(
                Text(row, "sku"), Text(row, "locationId"), Text(row, "snapshotOnHand"), Text(row, "stockSyncOnHand"), Number(row, "delta") is { } delta ? WithSign(delta) : null,
                Text(row, "pendingPostings"));
        }

        var shown = table.Count < Number(json, "mismatches") ? $" ({table.Count} of {Text(json, "mismatches")}; --csv FILE writes them all)" : string.Empty;
        return text.Append(CultureInfo.InvariantCulture, $"\nLargest mismatches, on-hand (delta = StockSync - snapshot){shown}\n").Append(table).ToString();
    }

    /// <summary><c>POST /erp/reconciliation/corrections</c> (202).</summary>
    public static string Corrections(JsonNode json) =>
        $"Published {Text(json, "corrections")} correction(s) for snapshot {Text(json, "snapshotId")}, as counts as of {Time(json, "takenAt")}; each applies once.\n";

    /// <summary><c>GET /inventory/{sku}</c>, optionally only one location.</summary>
    public static string Position(JsonNode json, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var table = new TextTable("LOCATION", ">ON HAND", ">RESERVED", ">ALLOCATED", ">DAMAGED", ">QUARANTINE", ">SAFETY", ">IN TRANSIT", ">ATS", "CHANNELS", ">VERSION", "UPDATED");
        foreach (var row in Rows(json["locations"]).Where(r => location is null || Text(r, "locationId") == location))
        {
            var channels = string.Join(' ', Rows(row?["channels"]).Select(c => $"{Text(c, "channelId")}={Text(c, "quantity")}"));
            table.Add(
                Text(row, "locationId"), Text(row, "onHand"), Text(row, "reserved"), Text(row, "allocated"), Text(row, "damaged"), Text(row, "quarantine"),
                Text(row, "safetyStock"), Text(row, "inTransit"), Text(row, "availableToSell"), channels.Length == 0 ? "-" : channels, Text(row, "version"), Time(row, "updatedAt"));
        }

        return $"SKU {Text(json, "sku")}: {Text(json, "totalAvailableToSell")} available to sell in all\n{table}";
    }

    /// <summary><c>GET /inventory/{sku}/{locationId}/ledger</c>: newest first.</summary>
    public static string Ledger(JsonNode json)
    {
        var table = new TextTable(">ID", "OCCURRED", "APPLIED", "MOVEMENT", "SOURCE", "DELTA", "REASON");
        foreach (var row in Rows(json))
        {
            var delta = row?["delta"];
            table.Add(
                Text(row, "id"), Time(row, "occurredAt"), Time(row, "appliedAt"), Text(row, "movementType"), $"{Text(row, "sourceSystem")}/{Text(row, "sourceMessageId")}",
                Deltas(delta, ("onHand", "onHand"), ("reserved", "reserved"), ("allocated", "allocated"), ("damaged", "damaged"), ("quarantine", "quarantine"), ("safety", "safetyStock"), ("inTransit", "inTransit")),
                Text(row, "reasonCode"));
        }

        return table.ToString();
    }

    private static TextTable DeadLetterTable(JsonNode? json, bool withOrder)
    {
        var table = withOrder
            ? new TextTable(">ID", "STATUS", "QUEUE", "MESSAGE", "EXCEPTION", ">FAILURES", "LAST FAILED", "ORDER")
            : new TextTable(">ID", "STATUS", "QUEUE", "MESSAGE", "EXCEPTION", ">FAILURES", "LAST FAILED");
        foreach (var row in Rows(json))
        {
            table.Add(
                Text(row, "id"), Text(row, "status"), Text(row, "sourceQueue"), ShortMessageType(Text(row, "messageType")),
                Cut($"{ShortType(Text(row, "exceptionType"))}: {Text(row, "exceptionMessage")}"), Text(row, "failureCount"), Time(row, "lastFailedAt"), Text(row, "orderId"));
        }

        return table;
    }

    /// <summary>The non-zero buckets of a delta, as <c>onHand -1 reserved +1</c>.</summary>
    private static string Deltas(JsonNode? node, params (string Label, string Member)[] buckets)
    {
        var changes = buckets
            .Select(b => (b.Label, Value: Number(node, b.Member) ?? 0))
            .Where(b => b.Value != 0)
            .Select(b => $"{b.Label} {WithSign(b.Value)}");
        var text = string.Join(' ', changes);
        return text.Length == 0 ? "none" : text;
    }

    private static JsonArray Rows(JsonNode? json) => json as JsonArray ?? [];

    private static string? Value(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => Cut(node.ToJsonString(), 200),
    };

    private static string Block(IEnumerable<(string Label, string? Value)> lines, string indent)
    {
        var all = lines.ToList();
        var width = all.Count == 0 ? 0 : all.Max(l => l.Label.Length) + 1;
        var text = new StringBuilder();
        foreach (var (label, value) in all)
        {
            text.Append(indent).Append((label + ":").PadRight(width + 1)).Append(value ?? "-").Append('\n');
        }

        return text.ToString();
    }

    private static string Indented(string? text) =>
        string.IsNullOrEmpty(text) ? "  -\n" : string.Concat(text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => $"  {l}\n"));

    private static string? PrettyBody(string? body)
    {
        try
        {
            return body is null ? null : JsonNode.Parse(body)?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? body;
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }
    }
}
