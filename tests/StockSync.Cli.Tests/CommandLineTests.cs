using System.CommandLine;
using System.Net;

namespace StockSync.Cli.Tests;

/// <summary>
/// The command line without a host: every command has help, bad usage exits 2 before anything is sent, each command
/// sends the request the ops API expects, and the host's errors and absence become exit codes 1 and 3.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly FakeHost _host = new();

    /// <summary>Every command and subcommand of the tree, as the words to type.</summary>
    public static TheoryData<string> Commands() => [.. CommandPaths()];

    private static List<string> CommandPaths()
    {
        var paths = new List<string>();
        void Walk(Command command, string path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, $"{path} {sub.Name}".Trim());
            }
        }

        Walk(CliApplication.BuildRootCommand(CliEnvironment.Process), string.Empty);
        return paths;
    }

    public void Dispose() => _host.Dispose();

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_has_help_that_names_it_and_its_options(string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (exit, output, error) = await _host.RunAsync([.. words, "--help"]);

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("Description:", output, StringComparison.Ordinal);
        // The root's name is the executable's: stocksync, or the test host here.
        Assert.Matches($"Usage:\n  \\S+{string.Concat(words.Select(w => " " + w))} ", output.ReplaceLineEndings("\n"));
        Assert.Contains("--url <URL>", output, StringComparison.Ordinal);
        Assert.Contains("--json", output, StringComparison.Ordinal);
        Assert.Empty(_host.Requests);
    }

    [Fact]
    public void The_tree_has_the_documented_commands()
    {
        var paths = CommandPaths().ToHashSet();
        string[] expected =
        [
            "saga show", "sagas by-state", "sagas list", "sagas stuck", "deadlines",
            "dead-letters list", "dead-letters groups", "dead-letters show", "dead-letters replay", "dead-letters discard",
            "reconciliation run", "reconciliation report", "reconciliation correct", "inventory position", "inventory ledger",
        ];
        Assert.All(expected, path => Assert.Contains(path, paths));
    }

    [Theory]
    [InlineData("error: Required command was not provided.")]
    [InlineData("Unrecognized command or argument 'sagaz'", "sagaz")]
    [InlineData("Required command was not provided.", "sagas")]
    [InlineData("Unrecognized command or argument '--colour'", "sagas", "list", "--colour", "red")]
    [InlineData("Give either --order-id or --correlation-id.", "saga", "show")]
    [InlineData("Give either --order-id or --correlation-id.", "saga", "show", "--order-id", "A", "--correlation-id", "0b7f5a52-8f0c-4b7e-9a55-3d2b1f0e6c11")]
    [InlineData("'not-a-uuid'", "saga", "show", "--correlation-id", "not-a-uuid")]
    [InlineData("--limit must be between 1 and 1000.", "sagas", "list", "--limit", "0")]
    [InlineData("--limit must be between 1 and 1000.", "deadlines", "--limit", "1001")]
    [InlineData("'many'", "sagas", "stuck", "--limit", "many")]
    [InlineData("Option '--by' is required.", "dead-letters", "replay", "7")]
    [InlineData("Option '--reason' is required.", "dead-letters", "discard", "7", "--by", "carol")]
    [InlineData("Required argument missing for command: 'show'.", "dead-letters", "show")]
    [InlineData("'seven'", "dead-letters", "show", "seven")]
    [InlineData("Give --order-id or --search, not both.", "dead-letters", "list", "--order-id", "A", "--search", "B")]
    [InlineData("Option '--snapshot-id' is required.", "reconciliation", "correct")]
    [InlineData("--largest must be between 0 and 10000.", "reconciliation", "report", "--largest", "-1")]
    [InlineData("Required argument missing for command: 'ledger'.", "inventory", "ledger", "SKU-1")]
    [InlineData("'localhost:5080' is not an http:// or https:// address.", "--url", "localhost:5080", "sagas", "by-state")]
    [InlineData("'ftp://host' is not an http:// or https:// address.", "sagas", "by-state", "--url", "ftp://host")]
    public async Task Bad_usage_exits_2_with_the_reason_on_stderr_and_sends_nothing(string reason, params string[] args)
    {
        var (exit, output, error) = await _host.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains("--help'.", error, StringComparison.Ordinal);
        Assert.Empty(_host.Requests);
    }

    [Theory]
    [InlineData("GET /ops/sagas/lookup?orderId=CC-1%2F2", null, "saga", "show", "--order-id", "CC-1/2")]
    [InlineData("GET /ops/sagas/lookup?correlationId=0b7f5a52-8f0c-4b7e-9a55-3d2b1f0e6c11", null, "saga", "show", "--correlation-id", "0b7f5a52-8f0c-4b7e-9a55-3d2b1f0e6c11")]
    [InlineData("GET /ops/sagas/by-state", null, "sagas", "by-state")]
    [InlineData("GET /ops/sagas", null, "sagas", "list")]
    [InlineData("GET /ops/sagas?saga=click_and_collect_sagas&state=Picking&limit=5", null, "sagas", "list", "--saga", "click_and_collect_sagas", "--state", "Picking", "--limit", "5")]
    [InlineData("GET /ops/sagas/stuck?saga=order_fulfillment_sagas", null, "sagas", "stuck", "--saga", "order_fulfillment_sagas")]
    [InlineData("GET /ops/deadlines", null, "deadlines")]
    [InlineData("GET /ops/deadlines?due=true&saga=click_and_collect_sagas&limit=10", null, "deadlines", "--due", "--saga", "click_and_collect_sagas", "--limit", "10")]
    [InlineData("GET /ops/dead-letters?status=Open&queue=erp-documents&exceptionType=UnmappedIdException&after=3&limit=2", null, "dead-letters", "list", "--status", "Open", "--queue", "erp-documents", "--exception", "UnmappedIdException", "--after", "3", "--limit", "2")]
    [InlineData("GET /ops/dead-letters?search=300-POT", null, "dead-letters", "list", "--search", "300-POT")]
    [InlineData("GET /ops/dead-letters?search=CC-1001", null, "dead-letters", "list", "--order-id", "CC-1001")]
    [InlineData("GET /ops/dead-letters/groups?status=Open", null, "dead-letters", "groups", "--status", "Open")]
    [InlineData("GET /ops/dead-letters/7", null, "dead-letters", "show", "7")]
    [InlineData("POST /ops/dead-letters/7/replay", """{"by":"alice"}""", "dead-letters", "replay", "7", "--by", "alice")]
    [InlineData("POST /ops/dead-letters/7/discard", """{"by":"carol","reason":"retired item, booked by hand"}""", "dead-letters", "discard", "7", "--by", "carol", "--reason", "retired item, booked by hand")]
    [InlineData("POST /erp/snapshots/fetch", null, "reconciliation", "run")]
    [InlineData("GET /erp/reconciliation", null, "reconciliation", "report")]
    [InlineData("GET /erp/reconciliation?snapshotId=erp%201&largest=5", null, "reconciliation", "report", "--snapshot-id", "erp 1", "--largest", "5")]
    [InlineData("POST /erp/reconciliation/corrections?snapshotId=erp-1", null, "reconciliation", "correct", "--snapshot-id", "erp-1")]
    [InlineData("GET /inventory/SKU%2F1", null, "inventory", "position", "SKU/1")]
    [InlineData("GET /inventory/SKU-1/STORE%201/ledger?limit=3&before=40", null, "inventory", "ledger", "SKU-1", "STORE 1", "--limit", "3", "--before", "40")]
    public async Task Each_command_sends_the_request_the_ops_api_expects(string request, string? body, params string[] args)
    {
        _host.Answer = r => FakeHost.Json(HttpStatusCode.OK, r.RequestUri!.AbsolutePath switch
        {
            "/ops/sagas/lookup" => Sample("saga-lookup"),
            "/ops/dead-letters/7" => Sample("dead-letter"),
            "/ops/dead-letters/7/replay" or "/ops/dead-letters/7/discard" => Sample("dead-letter"),
            "/erp/snapshots/fetch" => """{"snapshotId":"erp-1","takenAt":"2026-11-23T20:15:00+00:00","lines":4,"parts":1}""",
            "/erp/reconciliation" => Sample("reconciliation"),
            "/erp/reconciliation/corrections" => """{"snapshotId":"erp-1","takenAt":"2026-11-23T20:15:00+00:00","corrections":3}""",
            "/inventory/SKU%2F1" => Sample("inventory"),
            _ => "[]",
        });

        var (exit, output, error) = await _host.RunAsync(args);

        Assert.True(exit == 0, $"exit {exit}: {error}");
        var sent = Assert.Single(_host.Requests);
        Assert.Equal(request, $"{sent.Method} {sent.PathAndQuery}");
        Assert.Equal(body, sent.Body);
        Assert.Equal("localhost:5080", sent.Uri.Authority);
        Assert.Null(sent.Authorization);
        Assert.NotEqual(string.Empty, output);
    }

    [Fact]
    public async Task The_url_and_token_come_from_the_options_or_else_the_environment_and_a_path_prefix_is_kept()
    {
        var environment = new Dictionary<string, string> { ["STOCKSYNC_URL"] = "http://ops.example:8080/stocksync", ["STOCKSYNC_TOKEN"] = "env-token" };
        Assert.Equal(0, (await _host.RunAsync(environment, "sagas", "by-state")).Exit);
        Assert.Equal(0, (await _host.RunAsync(environment, "sagas", "by-state", "--url", "https://other:5443", "--token", "cli-token")).Exit);
        Assert.Equal(0, (await _host.RunAsync(environment, "--token", "before-the-command", "sagas", "by-state")).Exit);

        Assert.Equal(
            [("http://ops.example:8080/stocksync/ops/sagas/by-state", "Bearer env-token"), ("https://other:5443/ops/sagas/by-state", "Bearer cli-token"), ("http://ops.example:8080/stocksync/ops/sagas/by-state", "Bearer before-the-command")],
            _host.Requests.Select(r => (r.Uri.AbsoluteUri, r.Authorization)));
    }

    [Fact]
    public async Task Json_prints_the_hosts_answer_as_is()
    {
        var json = Sample("sagas-by-state");
        _host.Answer = _ => FakeHost.Json(HttpStatusCode.OK, json);

        var (exit, output, _) = await _host.RunAsync("sagas", "by-state", "--json");

        Assert.Equal(0, exit);
        Assert.Equal(json.TrimEnd(), output.TrimEnd());
    }

    [Fact]
    public async Task Dead_letters_of_an_order_are_only_that_orders_even_where_the_search_matches_others()
    {
        _host.Answer = _ => FakeHost.Json(HttpStatusCode.OK, Sample("dead-letters"));

        var (exit, output, _) = await _host.RunAsync("dead-letters", "list", "--order-id", "CC-1001", "--json");

        Assert.Equal(0, exit);
        var letters = System.Text.Json.Nodes.JsonNode.Parse(output)!.AsArray();
        Assert.Equal([12L], letters.Select(l => (long)l!["id"]!));
    }

    [Fact]
    public async Task A_problem_from_the_host_exits_1_with_its_title_detail_status_and_fields_on_stderr()
    {
        _host.Answer = _ => FakeHost.Json(
            HttpStatusCode.BadRequest,
            """{"type":"urn:stocksync:problem:invalid-input","title":"Invalid operations query.","status":400,"errors":{"saga":["Unknown saga 'orders'; the sagas are click_and_collect_sagas."]}}""",
            "application/problem+json");

        var (exit, output, error) = await _host.RunAsync("sagas", "list", "--saga", "orders");

        Assert.Equal(ExitCodes.HostError, exit);
        Assert.Equal(string.Empty, output);
        Assert.Equal(
            "error: Invalid operations query. (HTTP 400)\n  saga: Unknown saga 'orders'; the sagas are click_and_collect_sagas.\n  (urn:stocksync:problem:invalid-input)\n",
            error);
    }

    [Fact]
    public async Task A_not_found_shows_the_detail_and_an_unauthorized_answer_says_how_to_send_a_token()
    {
        _host.Answer = _ => FakeHost.Json(
            HttpStatusCode.NotFound,
            """{"type":"urn:stocksync:problem:not-found","title":"Not found","status":404,"detail":"No dead letter has the id 99."}""",
            "application/problem+json");
        var notFound = await _host.RunAsync("dead-letters", "show", "99", "--json");
        Assert.Equal((1, string.Empty), (notFound.Exit, notFound.Out));
        Assert.Contains("error: Not found (HTTP 404)\n  No dead letter has the id 99.\n", notFound.Err, StringComparison.Ordinal);

        _host.Answer = _ => new HttpResponseMessage(HttpStatusCode.Unauthorized);
        var unauthorized = await _host.RunAsync("sagas", "by-state");
        Assert.Equal(1, unauthorized.Exit);
        Assert.Contains("401 Unauthorized", unauthorized.Err, StringComparison.Ordinal);
        Assert.Contains("--token or STOCKSYNC_TOKEN", unauthorized.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_cannot_be_reached_exits_3_naming_the_url_and_suggesting_url()
    {
        _host.Answer = _ => throw new HttpRequestException("Connection refused (127.0.0.1:1)");

        var (exit, output, error) = await _host.RunAsync("--url", "http://127.0.0.1:1", "deadlines", "--due");

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains("cannot reach the StockSync host at http://127.0.0.1:1/: Connection refused", error, StringComparison.Ordinal);
        Assert.Contains("--url URL or STOCKSYNC_URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_refused_connection_exits_3_too()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApplication.RunAsync(["sagas", "by-state", "--url", $"http://127.0.0.1:{port}"], output, error, new CliEnvironment(_ => null));

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Contains($"http://127.0.0.1:{port}/", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_with_csv_writes_the_hosts_whole_export_to_the_file()
    {
        const string csv = "sku,location_id,snapshot_on_hand,stocksync_on_hand,delta,pending_postings\r\nSKU-TEA,DC-1,30,25,-5,1\r\nSKU-TEA,STORE-1,12,15,3,0\r\nSKU-MUG,STORE-1,10,8,-2,0\r\n";
        _host.Answer = r => r.RequestUri!.AbsolutePath.EndsWith(".csv", StringComparison.Ordinal)
            ? FakeHost.Json(HttpStatusCode.OK, csv, "text/csv")
            : FakeHost.Json(HttpStatusCode.OK, Sample("reconciliation"));
        var file = Path.Combine(Path.GetTempPath(), $"stocksync-cli-{Guid.NewGuid():N}.csv");
        try
        {
            var (exit, output, error) = await _host.RunAsync("reconciliation", "report", "--snapshot-id", "erp-1", "--csv", file);

            Assert.True(exit == 0, error);
            Assert.Equal(csv, await File.ReadAllTextAsync(file));
            Assert.Equal(["GET /erp/reconciliation?snapshotId=erp-1", "GET /erp/reconciliation.csv?snapshotId=erp-1"], _host.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
            Assert.Contains($"Wrote 3 mismatch(es) to {file}", output, StringComparison.Ordinal);
            Assert.Contains("(2 of 3; --csv FILE writes them all)", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Run_with_wait_fetches_then_polls_until_the_snapshot_is_stored_and_prints_its_report()
    {
        var polls = 0;
        _host.Answer = r => r.RequestUri!.AbsolutePath switch
        {
            "/erp/snapshots/fetch" => FakeHost.Json(HttpStatusCode.Accepted, """{"snapshotId":"erp-20261123T201500Z","takenAt":"2026-11-23T20:15:00+00:00","lines":4,"parts":1}"""),
            _ when ++polls < 3 => FakeHost.Json(HttpStatusCode.NotFound, """{"title":"No such snapshot","status":404}""", "application/problem+json"),
            _ => FakeHost.Json(HttpStatusCode.OK, Sample("reconciliation")),
        };

        var (exit, output, error) = await _host.RunAsync("reconciliation", "run", "--wait");

        Assert.True(exit == 0, error);
        Assert.Equal(3, polls);
        Assert.StartsWith("Fetched ERP snapshot erp-20261123T201500Z taken at 2026-11-23 20:15:00Z: 4 lines in 1 part(s).\n\nSnapshot:", output, StringComparison.Ordinal);
        Assert.Contains("Mismatches:            3", output, StringComparison.Ordinal);
    }

    internal static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name + ".json"));
}
