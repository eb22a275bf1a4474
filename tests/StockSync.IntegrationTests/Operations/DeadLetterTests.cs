using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StockSync.IntegrationTests.Orders;
using StockSync.Ledger;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations;

/// <summary>
/// The dead-letter store end to end on RabbitMQ and PostgreSQL: an ERP document naming an item the ERP has not released
/// yet faults on <c>erp-documents</c>; the ingestor copies it from the error queue into <c>dead_letters</c> with its
/// reason and empties the queue; operators list, group, read, replay, discard it over <c>/ops/dead-letters</c>. A replay
/// before the fix fails again on the same row; after the fix it applies once.
/// </summary>
public sealed class DeadLetterTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    /// <summary>The README's query: open dead letters by queue and exception.</summary>
    public const string OpenByQueueAndException = """
        SELECT source_queue, exception_type, exception_message,
               COUNT(*) AS dead_letters, SUM(failure_count) AS failures,
               MIN(first_failed_at) AS first_failed_at, MAX(last_failed_at) AS last_failed_at
        FROM dead_letters
        WHERE status = 'Open'
        GROUP BY source_queue, exception_type, exception_message
        ORDER BY dead_letters DESC, last_failed_at DESC
        """;

    private string Dc => $"DC-{Run}";

    private string Store => $"STORE-{Run}";

    protected override IDictionary<string, string?> HostSettings => base.HostSettings.WithErpAndDeadLetters(SimulatorUrl);

    [Fact]
    public async Task A_poisoned_document_lands_with_its_reason_fails_again_on_the_same_row_and_applies_once_after_the_fix_and_a_replay()
    {
        // Every receive endpoint's error queue is drained, the ledger's batch and isolated ones too; no temporary one.
        var sources = Host.Services.GetRequiredService<StockSync.Host.Operations.DeadLetterSources>().Queues;
        Log($"error queues drained: {string.Join(", ", sources.Select(q => q + "_error"))}");
        Assert.Contains(LedgerOptions.EndpointName, sources);
        Assert.Contains(LedgerOptions.IsolatedEndpointName, sources);
        Assert.Contains("erp-documents", sources);
        Assert.Contains("click-and-collect", sources);
        Assert.DoesNotContain(sources, q => q.Contains("bus", StringComparison.OrdinalIgnoreCase));

        await using var simulator = await StartSimulatorsAsync();
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };
        await MasterDataAsync(erp);

        // 1. The ERP books a receipt of an item it has not released yet: it faults, and lands in dead_letters.
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}-NEW", "S-DC", "300-POT", 2, "CS");
        var letter = await WaitForDeadLetterAsync(l => l["failureCount"]!.GetValue<int>() == 1, "the document's dead letter");
        var id = letter["id"]!.GetValue<long>();
        Log($"dead letter {id}: {Json(letter)}");
        Assert.Equal("erp-documents", Text(letter, "sourceQueue"));
        Assert.Equal("Open", Text(letter, "status"));
        Assert.EndsWith(".UnmappedIdException", Text(letter, "exceptionType"), StringComparison.Ordinal);
        Assert.Contains("erp sku '300-POT' has no mapping", Text(letter, "exceptionMessage"), StringComparison.Ordinal);
        Assert.Equal((0u, string.Empty), await ErrorQueueAsync("erp-documents_error"));

        var shown = await GetJsonAsync($"/ops/dead-letters/{id}");
        Assert.Contains("300-POT", Text(shown, "body"), StringComparison.Ordinal);
        Assert.StartsWith("urn:message:", Text(shown, "messageType"), StringComparison.Ordinal);
        Assert.Equal("application/vnd.masstransit+json", Text(shown, "contentType"));
        Assert.False(string.IsNullOrEmpty(Text(shown, "stackTrace")));
        Assert.NotNull(shown["headers"]!["MT-Fault-Message"]);
        Assert.Single(await ListAsync("/ops/dead-letters?status=Open&queue=erp-documents&exceptionType=UnmappedIdException&search=300-POT"));

        // A copy of the same fault in the error queue again (the ingestor stopped between its commit and its ack, and the
        // broker redelivered): recognised by message id and fault timestamp, taken off the queue, not counted.
        await RepeatInErrorQueueAsync(shown, "erp-documents_error");
        await EventuallyAsync(async () => (await ErrorQueueAsync("erp-documents_error")).Count == 0, () => "the copy to be taken");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, Number(await GetJsonAsync($"/ops/dead-letters/{id}"), "failureCount"));
        Assert.Empty(await ListAsync("/ops/dead-letters?queue=pos-journals"));
        Assert.Empty(await ListAsync("/ops/dead-letters?status=Discarded"));
        await AssertGroupAsync(deadLetters: 1, failures: 1);

        // 2. Replayed before the item exists: it fails again, on the same row (grouped, not repeated).
        var replayed = await ReplayAsync(id, "alice");
        Assert.Equal(("Replayed", 1, "alice"), (Text(replayed, "status"), Number(replayed, "replayCount"), Text(replayed, "replayedBy")));
        letter = await WaitForDeadLetterAsync(l => l["failureCount"]!.GetValue<int>() == 2 && Text(l, "status") == "Open", "the replay to fail again");
        Log($"failed again: {Json(letter)}");
        Assert.Equal(id, letter["id"]!.GetValue<long>());
        Assert.Single(await ListAsync("/ops/dead-letters"));
        Assert.True(letter["lastFailedAt"]!.GetValue<DateTime>() > letter["firstFailedAt"]!.GetValue<DateTime>());
        await AssertGroupAsync(deadLetters: 1, failures: 2);
        await using (var db = new NpgsqlConnection(Host.Database.ConnectionString))
        {
            await db.OpenAsync();
            var rows = await QueryAsync(db, OpenByQueueAndException);
            Log($"operator's query: {string.Join(" | ", rows.Select(Describe))}");
            var row = Assert.Single(rows);
            Assert.Equal(("erp-documents", 1L, 2L), ((string)row["source_queue"]!, Convert.ToInt64(row["dead_letters"], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(row["failures"], System.Globalization.CultureInfo.InvariantCulture)));
        }

        // 3. The item master catches up; the replay applies the receipt once, in eaches.
        var pot = $"SKU-{Run}-POT";
        await ErpDeadLetters.SendAsync(erp, HttpMethod.Put, "items", new { items = new[] { new { itemNumber = "300-POT", sku = pot, description = "Teapot", orderUnit = "CS", unitsPerOrderUnit = 4, barcodes = Array.Empty<string>() } } });
        await EventuallyAsync(async () => await MappingAsync("erp", "300-POT") is not null, () => "the new item's mapping");
        replayed = await ReplayAsync(id, "bob");
        Assert.Equal(("Replayed", 2, "bob"), (Text(replayed, "status"), Number(replayed, "replayCount"), Text(replayed, "replayedBy")));
        await WaitForOnHandAsync(pot, Dc, 8, "the replayed receipt");

        // Replaying it again is refused: it was sent and has not failed since.
        var again = await PostAsync($"/ops/dead-letters/{id}/replay", new { by = "alice" });
        var conflict = await ProblemAsync(again, HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition", "a second replay");
        Assert.Equal("Replayed", Text(conflict, "currentStatus"));

        await Task.Delay(TimeSpan.FromSeconds(2)); // several polls: nothing faults again
        var final = await GetJsonAsync($"/ops/dead-letters/{id}");
        Assert.Equal(("Replayed", 2, 2, "bob"), (Text(final, "status"), Number(final, "failureCount"), Number(final, "replayCount"), Text(final, "replayedBy")));
        Assert.Empty(await ListAsync("/ops/dead-letters?status=Open"));
        await AssertBucketsAsync("in the end", pot, Dc, onHand: 8, reserved: 0, allocated: 0, availableToSell: 8);
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }

    [Fact]
    public async Task A_discard_records_who_and_why_and_refuses_bad_bodies_and_later_actions()
    {
        await using var simulator = await StartSimulatorsAsync();
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };
        await MasterDataAsync(erp);
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}-OLD", "S-DC", "900-GONE", 2, "CS");
        var letter = await WaitForDeadLetterAsync(l => Text(l, "exceptionMessage").Contains("900-GONE", StringComparison.Ordinal), "the document's dead letter");
        var id = letter["id"]!.GetValue<long>();

        // Bad input: problem details naming the field.
        var noReason = await ProblemAsync(await PostAsync($"/ops/dead-letters/{id}/discard", new { by = "alice" }), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "a discard without a reason");
        Assert.NotNull(noReason["errors"]!["reason"]);
        var noOne = await ProblemAsync(await PostAsync($"/ops/dead-letters/{id}/discard", new { reason = "retired item" }), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "a discard without who");
        Assert.NotNull(noOne["errors"]!["by"]);
        var blank = await ProblemAsync(await PostAsync($"/ops/dead-letters/{id}/replay", new { by = " " }), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "a replay without who");
        Assert.NotNull(blank["errors"]!["by"]);
        await ProblemAsync(await PostRawAsync($"/ops/dead-letters/{id}/replay", "{\"by\":"), HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "a malformed body");
        await ProblemAsync(await PostRawAsync($"/ops/dead-letters/{id}/replay", "{\"by\":\"alice\",\"force\":true}"), HttpStatusCode.BadRequest, "urn:stocksync:problem:malformed-json", "an unknown member");
        await ProblemAsync(await PostAsync("/ops/dead-letters/999999/discard", new { by = "alice", reason = "x" }), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "an unknown id");
        await ProblemAsync(await Http.GetAsync("/ops/dead-letters/999999"), HttpStatusCode.NotFound, "urn:stocksync:problem:not-found", "an unknown id");
        await ProblemAsync(await Http.GetAsync("/ops/dead-letters?status=Stuck"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "an unknown status");
        await ProblemAsync(await Http.GetAsync("/ops/dead-letters?limit=0"), HttpStatusCode.BadRequest, "urn:stocksync:problem:invalid-input", "a zero limit");
        Assert.Equal("Open", Text(await GetJsonAsync($"/ops/dead-letters/{id}"), "status"));

        // The discard, with its reason; afterwards neither a replay nor another discard.
        var response = await PostAsync($"/ops/dead-letters/{id}/discard", new { by = "carol", reason = "The ERP retired item 900-GONE; the receipt was booked by hand." });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"discard: {(int)response.StatusCode} {text}");
        var discarded = JsonNode.Parse(text)!;
        Log($"discarded: {Json(discarded)}");
        Assert.Equal(("Discarded", "carol", "The ERP retired item 900-GONE; the receipt was booked by hand."), (Text(discarded, "status"), Text(discarded, "discardedBy"), Text(discarded, "discardReason")));
        Assert.NotNull(discarded["discardedAt"]);
        var replay = await ProblemAsync(await PostAsync($"/ops/dead-letters/{id}/replay", new { by = "alice" }), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition", "replaying a discarded dead letter");
        Assert.Equal("Discarded", Text(replay, "currentStatus"));
        await ProblemAsync(await PostAsync($"/ops/dead-letters/{id}/discard", new { by = "alice", reason = "again" }), HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition", "discarding twice");
        Assert.Single(await ListAsync("/ops/dead-letters?status=Discarded"));
        Assert.Empty(await ListAsync("/ops/dead-letters?status=Open"));
        Assert.Empty((await Http.GetFromJsonAsync<JsonArray>("/ops/dead-letters/groups?status=Open"))!);
        await AssertNothingFaultedAsync();
    }

    /// <summary>Puts a dead letter back in an error queue as MassTransit left it: body, content type, message id, every header.</summary>
    private async Task RepeatInErrorQueueAsync(JsonNode letter, string errorQueue)
    {
        await using var connection = await Host.VirtualHost!.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new RabbitMQ.Client.BasicProperties
        {
            ContentType = Text(letter, "contentType"),
            MessageId = Text(letter, "messageId"),
            Persistent = true,
            Headers = letter["headers"]!.AsObject().Where(h => h.Value is JsonValue).ToDictionary(h => h.Key, h => (object?)h.Value!.ToString()),
        };
        await channel.BasicPublishAsync(string.Empty, errorQueue, mandatory: true, properties, System.Text.Encoding.UTF8.GetBytes(Text(letter, "body")));
    }

    private async Task<JsonArray> ListAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    private async Task<JsonNode> WaitForDeadLetterAsync(Func<JsonNode, bool> condition, string what)
    {
        JsonNode? found = null;
        await EventuallyAsync(
            async () => (found = (await ListAsync("/ops/dead-letters")).FirstOrDefault(l => condition(l!))) is not null,
            () => what);
        return found!;
    }

    private async Task<JsonNode> ReplayAsync(long id, string by)
    {
        var response = await PostAsync($"/ops/dead-letters/{id}/replay", new { by });
        var text = await response.Content.ReadAsStringAsync();
        Log($"replay by {by}: {(int)response.StatusCode}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"replay: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task AssertGroupAsync(int deadLetters, int failures)
    {
        var groups = (await Http.GetFromJsonAsync<JsonArray>("/ops/dead-letters/groups?status=Open"))!;
        Log($"groups: {Json(groups)}");
        var group = Assert.Single(groups)!;
        Assert.Equal("erp-documents", Text(group, "sourceQueue"));
        Assert.EndsWith(".UnmappedIdException", Text(group, "exceptionType"), StringComparison.Ordinal);
        Assert.Equal((deadLetters, failures), (Number(group, "deadLetters"), Number(group, "failures")));
    }

    private static string Text(JsonNode node, string name) => node[name]?.GetValue<string>() ?? string.Empty;

    private async Task MasterDataAsync(HttpClient erp)
    {
        await ErpDeadLetters.SendAsync(erp, HttpMethod.Put, "sites", new
        {
            sites = new[]
            {
                new { siteCode = "S-DC", locationId = Dc, name = "DC", kind = "DistributionCenter" },
                new { siteCode = "S-ST", locationId = Store, name = "Store", kind = "Store" },
            },
        });
        await ErpDeadLetters.SendAsync(erp, HttpMethod.Put, "items", new
        {
            items = new[] { new { itemNumber = "100-MUG", sku = $"SKU-{Run}-MUG", description = "Mug", orderUnit = "EA", unitsPerOrderUnit = 1, barcodes = Array.Empty<string>() } },
        });
        await EventuallyAsync(async () => await MappingAsync("erp", "S-DC") is not null, () => "the sites' mappings");
    }

    private async Task<JsonNode?> MappingAsync(string system, string externalId)
    {
        using var response = await Http.GetAsync($"/mappings/{system}");
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        return list.FirstOrDefault(m => m!["externalId"]!.GetValue<string>() == externalId);
    }

    private Task WaitForOnHandAsync(string sku, string location, int onHand, string what) =>
        EventuallyAsync(
            async () => (await Http.GetAsync($"/inventory/{sku}")).StatusCode == HttpStatusCode.OK && (await BucketsAsync(sku, location)).OnHand == onHand,
            () => $"{what}: on-hand of {sku} at {location} to reach {onHand}");
}
