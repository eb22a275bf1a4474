using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StockSync.Cli;
using StockSync.IntegrationTests.Orders;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations.Cli;

/// <summary>
/// The <c>stocksync</c> CLI against a running host over real HTTP (Kestrel on a loopback port), on RabbitMQ and
/// PostgreSQL. A scripted scenario makes real state: ERP master data and a receipt, a POS sale the ERP never hears of
/// (a reconciliation difference), a click-and-collect order, two ERP documents naming items the ERP has not released
/// (two dead letters), an ERP snapshot. Then every example of the documentation's console block
/// (<see cref="ExamplesFile"/>) runs through the CLI's entry point, with this scenario's ids for its placeholders,
/// and must exit 0 and print what the example is for.
/// </summary>
public sealed partial class CliExamplesTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    /// <summary>The file whose one <c>```console</c> block with <c>$ stocksync</c> lines holds the examples, from the repository root.</summary>
    public const string ExamplesFile = "README.md";

    private string Dc => $"DC-{Run}";

    private string Store => $"STORE-{Run}";

    private string Mug => $"SKU-{Run}-MUG";

    private string OrderId => $"CC-{Run}";

    protected override bool RealHttp => true;

    protected override IDictionary<string, string?> HostSettings => base.HostSettings.WithErpAndDeadLetters(SimulatorUrl);

    [Fact]
    public async Task Every_documented_example_works_against_a_running_host()
    {
        await using var simulator = await StartSimulatorsAsync(); // the ERP, for the snapshots
        var ids = await ScenarioAsync();
        var examples = ReadExamples();
        Log($"{examples.Count} examples in {ExamplesFile}; placeholders: {string.Join(", ", ids.Select(p => $"{p.Key}={p.Value}"))}");
        var expectations = Expectations(ids);
        Assert.Empty(examples.Where(e => !expectations.ContainsKey(e)).Select(e => $"no expectation for the example '{e}': add one here"));

        var csv = Path.Combine(Environment.CurrentDirectory, "reconciliation.csv");
        try
        {
            foreach (var example in examples)
            {
                var line = Substitute(example, ids);
                var (exit, stdout, stderr) = await CliAsync(Words(line));
                Log($"$ stocksync {line}\n{stdout}{stderr}");
                Assert.True(exit == 0, $"'stocksync {line}' exited {exit}: {stderr}{stdout}");
                foreach (var fragment in expectations[example])
                {
                    Assert.True(stdout.Contains(fragment, StringComparison.Ordinal), $"'stocksync {line}' should print '{fragment}':\n{stdout}");
                }
            }

            // The CSV export holds the whole reconciliation: the one difference the scenario made (with the till sale's
            // ERP posting pending or not: the postings dispatcher is off in tests).
            var rows = (await File.ReadAllTextAsync(csv)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, rows.Length);
            Assert.Equal("sku,location_id,snapshot_on_hand,stocksync_on_hand,delta,pending_postings", rows[0]);
            Assert.StartsWith($"{Mug},{Store},10,9,-1,", rows[1], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(csv);
        }

        // What the examples did, as the host now tells it.
        Assert.Equal("Replayed", Text(await GetJsonAsync($"/ops/dead-letters/{ids["<dead-letter-id>"]}"), "status"));
        var discarded = await GetJsonAsync($"/ops/dead-letters/{ids["<other-dead-letter-id>"]}");
        Assert.Equal(("Discarded", "carol"), (Text(discarded, "status"), Text(discarded, "discardedBy")));
        await EventuallyAsync(
            async () => Number(await GetJsonAsync($"/erp/reconciliation?snapshotId={ids["<snapshot-id>"]}"), "mismatches") == 0,
            () => "the correction to leave no difference");
    }

    [Fact]
    public async Task Errors_of_the_host_bad_usage_and_an_unreachable_host_give_exit_codes_1_2_and_3()
    {
        var unknown = await CliAsync("saga", "show", "--order-id", $"CC-{Run}-NEVER");
        Assert.Equal((ExitCodes.HostError, string.Empty), (unknown.Exit, unknown.Out));
        Assert.Contains("(HTTP 404)", unknown.Err, StringComparison.Ordinal);
        Assert.Contains($"Nothing is known about order 'CC-{Run}-NEVER'", unknown.Err, StringComparison.Ordinal);

        var badSaga = await CliAsync("sagas", "list", "--saga", "orders");
        Assert.Equal(ExitCodes.HostError, badSaga.Exit);
        Assert.Contains("error: Invalid operations query. (HTTP 400)", badSaga.Err, StringComparison.Ordinal);
        Assert.Contains("saga: Unknown saga 'orders'", badSaga.Err, StringComparison.Ordinal);

        var noDeadLetter = await CliAsync("dead-letters", "discard", "999999", "--by", "carol", "--reason", "none");
        Assert.Equal(ExitCodes.HostError, noDeadLetter.Exit);
        Assert.Contains("No dead letter has the id 999999.", noDeadLetter.Err, StringComparison.Ordinal);

        var usage = await CliAsync("dead-letters", "replay", "1");
        Assert.Equal(ExitCodes.Usage, usage.Exit);
        Assert.Contains("Option '--by' is required.", usage.Err, StringComparison.Ordinal);

        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        var unreachable = await CliAsync("sagas", "by-state", "--url", closed);
        Assert.Equal(ExitCodes.Unreachable, unreachable.Exit);
        Assert.Contains($"cannot reach the StockSync host at {closed}/", unreachable.Err, StringComparison.Ordinal);
    }

    /// <summary>What each example must print (placeholders in the keys as written in the documentation).</summary>
    private Dictionary<string, string[]> Expectations(Dictionary<string, string> ids) => new()
    {
        ["--help"] = ["dead-letters", "reconciliation", "--url <URL>"],
        ["sagas by-state"] = ["STATE", "click_and_collect_sagas  Reserved"],
        ["sagas list --saga click_and_collect_sagas --state Reserved"] = [ids["<correlation-id>"], "Reserved"],
        ["sagas stuck"] = ["STUCK AFTER", "(none)"],
        ["deadlines --saga click_and_collect_sagas"] = [ids["<correlation-id>"], "HoldExpiresAt"],
        ["deadlines --due"] = ["DUE AT", "(none)"],
        ["saga show --order-id <order-id>"] = [$"Order: {OrderId}", $"click_and_collect_sagas {ids["<correlation-id>"]}: Reserved", "StockReserved", "reserved +1", "ReserveForPickup"],
        ["saga show --correlation-id <correlation-id>"] = [$"Order: {OrderId}", $"storeId:", Store],
        ["dead-letters groups --status Open"] = ["erp-documents", "UnmappedIdException"],
        ["dead-letters list --status Open --queue erp-documents"] = [$"{ids["<dead-letter-id>"]}  Open", $"{ids["<other-dead-letter-id>"]}  Open", "300-POT", "900-GONE"],
        ["dead-letters show <dead-letter-id>"] = [$"Dead letter:     {ids["<dead-letter-id>"]}", "Queue:           erp-documents", "Stack trace", "300-POT"],
        ["dead-letters replay <dead-letter-id> --by alice"] = [$"Dead letter {ids["<dead-letter-id>"]} replayed to erp-documents by alice"],
        ["dead-letters discard <other-dead-letter-id> --by carol --reason \"The ERP retired the item; the receipt was booked by hand.\""] =
            [$"Dead letter {ids["<other-dead-letter-id>"]} discarded by carol", "The ERP retired the item; the receipt was booked by hand."],
        ["reconciliation report --snapshot-id <snapshot-id> --csv reconciliation.csv"] = ["Snapshot:", ids["<snapshot-id>"], "Mismatches:            1", $"{Mug}  {Store}", "-1", "Wrote 1 mismatch(es) to "],
        ["reconciliation correct --snapshot-id <snapshot-id>"] = [$"Published 1 correction(s) for snapshot {ids["<snapshot-id>"]}"],
        ["reconciliation run"] = ["Fetched ERP snapshot SNAP-", "stocksync reconciliation report --snapshot-id SNAP-"],
        ["inventory position <sku>"] = [$"SKU {Mug}:", Store, "ON HAND"],
        ["inventory ledger <sku> <location> --limit 5"] = ["SaleRecorded", "StockReserved", "ReceiptPosted"],
        ["--json sagas by-state"] = ["\"saga\":\"click_and_collect_sagas\"", "\"currentState\":\"Reserved\""],
    };

    /// <summary>Makes the state the examples read, and returns the values of their placeholders.</summary>
    private async Task<Dictionary<string, string>> ScenarioAsync()
    {
        using var erp = new HttpClient { BaseAddress = new Uri($"{SimulatorUrl}/erp/") };

        // The ERP's sites and item, and a receipt of 10 mugs at the store.
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
            items = new[] { new { itemNumber = "100-MUG", sku = Mug, description = "Mug", orderUnit = "EA", unitsPerOrderUnit = 1, barcodes = Array.Empty<string>() } },
        });
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}-1", "S-ST", "100-MUG", 10);
        await WaitForOnHandAsync(10, "the ERP receipt");

        // A till sale the ERP never hears of: the snapshot's one difference.
        using (var sale = await PostAsync("/movements", new { type = "SaleRecorded", sourceSystem = "pos:cli", sourceMessageId = $"{Run}-1", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), sku = Mug, locationId = Store, quantity = 1 }))
        {
            Assert.True(sale.StatusCode == HttpStatusCode.Accepted, $"POST /movements: {(int)sale.StatusCode} {await sale.Content.ReadAsStringAsync()}");
        }

        await WaitForOnHandAsync(9, "the till sale");

        // A click-and-collect order, held at the store.
        await ViewAsync(
            await PostAsync("/click-and-collect?wait=10", new { orderId = OrderId, storeId = Store, lines = new[] { new { sku = Mug, quantity = 1 } } }),
            "Reserved",
            OrderId);
        var story = await GetJsonAsync($"/ops/sagas/lookup?orderId={OrderId}");
        var correlationId = Text(Assert.Single(story["instances"]!.AsArray())!, "correlationId");

        // The ERP's snapshot, taken through the CLI, and stored.
        var run = await CliAsync("reconciliation", "run", "--json");
        Assert.True(run.Exit == 0, $"reconciliation run: {run.Exit} {run.Err}");
        var snapshotId = Text(JsonNode.Parse(run.Out)!, "snapshotId");
        await EventuallyAsync(
            async () => (await Http.GetAsync($"/erp/reconciliation?snapshotId={snapshotId}")).StatusCode == HttpStatusCode.OK,
            () => $"snapshot {snapshotId} to be stored");

        // Two documents naming items the ERP has not released: two dead letters on erp-documents.
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}-NEW", "S-ST", "300-POT", 2);
        await ErpDeadLetters.ReceiptAsync(erp, $"PO-{Run}-OLD", "S-ST", "900-GONE", 3);
        var pot = await DeadLetterAsync("300-POT");
        var gone = await DeadLetterAsync("900-GONE");

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["<order-id>"] = OrderId,
            ["<correlation-id>"] = correlationId,
            ["<dead-letter-id>"] = pot,
            ["<other-dead-letter-id>"] = gone,
            ["<snapshot-id>"] = snapshotId,
            ["<sku>"] = Mug,
            ["<location>"] = Store,
        };
    }

    private async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment(name => name == CliEnvironment.UrlVariable ? Host.Address!.ToString() : null);
        var exit = await CliApplication.RunAsync(args, stdout, stderr, environment);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The <c>$ stocksync</c> lines of the one console block that has them, without the prompt and the program name.</summary>
    private static List<string> ReadExamples()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "StockSync.sln")))
        {
            root = root.Parent;
        }

        var text = File.ReadAllText(Path.Combine(root?.FullName ?? throw new InvalidOperationException("No StockSync.sln above the tests."), ExamplesFile));
        var blocks = ConsoleBlock().Matches(text.ReplaceLineEndings("\n"))
            .Select(m => m.Groups["body"].Value.Split('\n').Where(l => l.StartsWith("$ stocksync ", StringComparison.Ordinal)).Select(l => l["$ stocksync ".Length..].Trim()).ToList())
            .Where(b => b.Count > 0)
            .ToList();
        return Assert.Single(blocks);
    }

    private static string Substitute(string example, Dictionary<string, string> ids)
    {
        var line = ids.Aggregate(example, (text, id) => text.Replace(id.Key, id.Value, StringComparison.Ordinal));
        Assert.False(Placeholder().IsMatch(line), $"The example '{example}' has a placeholder the test does not fill: {Placeholder().Match(line).Value}");
        return line;
    }

    /// <summary>Splits a command line as a shell would: on spaces, with "double" and 'single' quotes.</summary>
    private static string[] Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        Assert.True(quote is null, $"Unbalanced quote in '{line}'");
        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }

    private async Task<string> DeadLetterAsync(string itemNumber)
    {
        string? id = null;
        await EventuallyAsync(
            async () =>
            {
                var letters = (await Http.GetFromJsonAsync<JsonArray>("/ops/dead-letters?queue=erp-documents"))!;
                id = letters.FirstOrDefault(l => Text(l!, "exceptionMessage").Contains(itemNumber, StringComparison.Ordinal))?["id"]?.ToJsonString();
                return id is not null;
            },
            () => $"the dead letter of the document naming {itemNumber}");
        return id!;
    }

    private Task WaitForOnHandAsync(int onHand, string what) =>
        EventuallyAsync(
            async () => (await Http.GetAsync($"/inventory/{Mug}")).StatusCode == HttpStatusCode.OK && (await BucketsAsync(Mug, Store)).OnHand == onHand,
            () => $"{what}: on-hand of {Mug} at {Store} to reach {onHand}");

    private static string Text(JsonNode node, string name) => node[name]?.GetValue<string>() ?? string.Empty;

    [GeneratedRegex(@"^```console\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex("<[a-z][a-z-]*>")]
    private static partial Regex Placeholder();
}
