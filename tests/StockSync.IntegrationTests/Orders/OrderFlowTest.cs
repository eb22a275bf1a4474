using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Ledger;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>A position's buckets as <c>GET /inventory/{sku}</c> shows them (a location without a position reads as zeros).</summary>
public sealed record Buckets(int OnHand, int Reserved, int Allocated, int AvailableToSell)
{
    public override string ToString() => $"onHand {OnHand}, reserved {Reserved}, allocated {Allocated}, availableToSell {AvailableToSell}";
}

/// <summary>
/// The order flows end to end, driven over HTTP like a storefront, store staff and an OMS would: every test gets the
/// real host on a RabbitMQ vhost and a PostgreSQL database of its own (xunit makes a new instance per test), sets up its
/// catalogue and stock through the API, and reads positions, orders and the projection check back through the API.
/// Nothing sleeps for a fixed time: actions use <c>?wait=10</c> (200 once the saga acted), everything else polls with
/// a deadline.
/// </summary>
public abstract class OrderFlowTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>How long anything asynchronous may take before a test fails (generous for a loaded 2-core machine).</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Stopwatch _clock = new();
    private int _receipts;

    protected ITestOutputHelper Output { get; } = output;

    protected StockSyncHost Host { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    /// <summary>Makes the ids of one test run unique (the database is fresh anyway; the ids stay readable).</summary>
    protected string Run { get; } = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

    /// <summary>
    /// Settings for the host on top of the test defaults. Racing orders make the sagas retry on optimistic concurrency
    /// conflicts by design; those retries (MassTransit warnings, EF Core's logged save failures) are kept out of the
    /// output, while a message that finally faults is still logged as an error.
    /// </summary>
    protected virtual IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Override:MassTransit"] = "Error",
        ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Fatal",
    };

    /// <summary>The host listens on a real loopback port (for callers outside the test process, such as a simulator's webhooks).</summary>
    protected virtual bool RealHttp => false;

    /// <summary>Error queues of endpoints beyond the order flows and the ledger that <see cref="AssertNothingFaultedAsync"/> also checks.</summary>
    protected virtual IEnumerable<string> MoreErrorQueues => [];

    public virtual async Task InitializeAsync()
    {
        _clock.Start();
        Host = await StockSyncHost.StartAsync(rabbitMq: true, DatabaseProvider.PostgreSql, HostSettings, RealHttp);
        Http = Host.CreateClient();
        Http.Timeout = TimeSpan.FromSeconds(60);
        Output.WriteLine($"Running against {Host.Description}");
        Log("host started");
    }

    public virtual async Task DisposeAsync()
    {
        Log("test finished");
        Http?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    /// <summary>A free loopback port for this test's simulators, chosen before the host starts (so its settings can name it).</summary>
    protected int SimulatorPort { get; } = FreePort();

    /// <summary>The simulators' base address (<see cref="StartSimulatorsAsync"/>).</summary>
    protected string SimulatorUrl => $"http://127.0.0.1:{SimulatorPort}";

    /// <summary>Starts the simulators of the external systems on <see cref="SimulatorPort"/>, in this process.</summary>
    protected async Task<Microsoft.AspNetCore.Builder.WebApplication> StartSimulatorsAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var (app, address) = await StockSync.Simulators.SimulatorApp.StartAsync(SimulatorPort, settings);
        Log($"simulators on {address}");
        return app;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes a line to the test output, stamped with the seconds since the test started.</summary>
    protected void Log(string message) => Output.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:0.000} s] {message}");

    // ---------------------------------------------------------------------------------------------------------------
    // Catalogue and stock
    // ---------------------------------------------------------------------------------------------------------------

    protected async Task PutItemAsync(string sku)
    {
        var response = await Http.PutAsJsonAsync($"/catalog/items/{sku}", new { description = $"Item {sku}" });
        Assert.True(response.IsSuccessStatusCode, $"PUT /catalog/items/{sku}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>PUT /catalog/locations/{id} with the body as given (kind, coordinates, sourcing priority, roles).</summary>
    protected async Task PutLocationAsync(string locationId, object body)
    {
        var response = await Http.PutAsJsonAsync($"/catalog/locations/{locationId}", body);
        Assert.True(response.IsSuccessStatusCode, $"PUT /catalog/locations/{locationId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Posts goods receipts (one POST /movements with all of them, as the ERP would) and waits until every key's on-hand
    /// has grown by what was received.
    /// </summary>
    protected async Task ReceiveAsync(params (string Sku, string LocationId, int Quantity)[] receipts)
    {
        receipts = [.. receipts.Where(r => r.Quantity != 0)];
        if (receipts.Length == 0)
        {
            return;
        }

        var expected = new Dictionary<(string Sku, string LocationId), int>();
        foreach (var (sku, location, quantity) in receipts)
        {
            var key = (sku, location);
            expected[key] = (expected.TryGetValue(key, out var before) ? before : (await BucketsAsync(sku, location)).OnHand) + quantity;
        }

        var movements = receipts.Select(r => new
        {
            type = "ReceiptPosted",
            sourceSystem = "erp",
            sourceMessageId = $"GRN-{Run}-{Interlocked.Increment(ref _receipts)}",
            occurredAt = DateTimeOffset.UtcNow,
            sku = r.Sku,
            locationId = r.LocationId,
            quantity = r.Quantity,
        }).ToArray();
        var response = await Http.PostAsJsonAsync("/movements", movements);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /movements: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

        foreach (var ((sku, location), onHand) in expected)
        {
            await EventuallyAsync(
                async () => (await BucketsAsync(sku, location)).OnHand == onHand,
                () => $"on-hand of {sku} at {location} to reach {onHand}");
        }
    }

    /// <summary>The buckets of one SKU at one location, read through GET /inventory/{sku}.</summary>
    protected async Task<Buckets> BucketsAsync(string sku, string locationId)
    {
        var inventory = await GetJsonAsync($"/inventory/{sku}");
        var location = inventory["locations"]!.AsArray().FirstOrDefault(l => l!["locationId"]!.GetValue<string>() == locationId);
        return location is null
            ? new Buckets(0, 0, 0, 0)
            : new Buckets(Number(location, "onHand"), Number(location, "reserved"), Number(location, "allocated"), Number(location, "availableToSell"));
    }

    /// <summary>Asserts a position's buckets as GET /inventory/{sku} shows them, naming the step on failure.</summary>
    protected async Task AssertBucketsAsync(string step, string sku, string locationId, int onHand, int reserved, int allocated, int availableToSell)
    {
        var actual = await BucketsAsync(sku, locationId);
        var expected = new Buckets(onHand, reserved, allocated, availableToSell);
        Log($"{step}: {sku}@{locationId}: {actual}");
        Assert.True(expected == actual, $"{step}: {sku} at {locationId} should be [{expected}] but is [{actual}].");
    }

    /// <summary>GET /inventory/projection-check: positions equal the sum of the ledger.</summary>
    protected async Task AssertProjectionConsistentAsync()
    {
        var check = await GetJsonAsync("/inventory/projection-check");
        Assert.True(check["consistent"]!.GetValue<bool>(), $"The projection check found mismatches: {check.ToJsonString()}");
        Assert.Empty(check["mismatches"]!.AsArray());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // HTTP
    // ---------------------------------------------------------------------------------------------------------------

    protected async Task<JsonObject> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    protected Task<HttpResponseMessage> PostAsync(string path, object? body = null) =>
        body is null ? Http.PostAsync(path, null) : Http.PostAsJsonAsync(path, body);

    protected async Task<HttpResponseMessage> PostRawAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await Http.PostAsync(path, content);
    }

    /// <summary>Asserts a 200 (with <c>?wait</c>: the saga acted) and the state of the view it answers with.</summary>
    protected static async Task<JsonObject> ViewAsync(HttpResponseMessage response, string expectedState, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: expected 200 with the order's new state, got {(int)response.StatusCode} {text}");
        var view = JsonNode.Parse(text)!.AsObject();
        Assert.True(State(view) == expectedState, $"{what}: expected state {expectedState}, got {State(view)} ({text})");
        return view;
    }

    /// <summary>Asserts an RFC 9457 problem with the status and type, and returns it.</summary>
    protected async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Log($"{what}: {(int)response.StatusCode} {text}");
        Assert.True(response.StatusCode == status, $"{what}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(type, problem["type"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        return problem;
    }

    /// <summary>A 409 invalid-transition problem naming the order's current state.</summary>
    protected async Task<JsonObject> InvalidTransitionAsync(HttpResponseMessage response, string currentState, string what)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.Conflict, "urn:stocksync:problem:invalid-transition", what);
        Assert.Equal(currentState, problem["currentState"]!.GetValue<string>());
        return problem;
    }

    protected static string State(JsonNode view) => view["state"]!.GetValue<string>();

    protected static int Number(JsonNode node, string name) => node[name]!.GetValue<int>();

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails after <see cref="Patience"/> with what it waited for.</summary>
    internal static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {(timeout ?? Patience).TotalSeconds:0} s waiting for {what()}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Polls GET <paramref name="path"/> until the order is in <paramref name="state"/>.</summary>
    protected async Task<JsonObject> WaitForStateAsync(string path, string state)
    {
        JsonObject? last = null;
        await EventuallyAsync(
            async () =>
            {
                var response = await Http.GetAsync(path);
                last = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject() : null;
                return last is not null && State(last) == state;
            },
            () => $"{path} to be {state} (last: {last?.ToJsonString() ?? "not found"})");
        return last!;
    }

    /// <summary>
    /// Asserts that no message has faulted into the error queue of the order sagas or the ledger (read on the broker,
    /// with the fault reason MassTransit put in the header when there is one).
    /// </summary>
    protected async Task AssertNothingFaultedAsync()
    {
        string[] queues = ["oms-fulfillments_error", "marketplace-orders_error", "marketplace-shipments_error", "click-and-collect_error", "order-fulfillment_error", "return-inspection_error", "marketplace-order_error", "marketplace-acknowledgements_error", "erp-postings_error", "erp-documents_error", "erp-snapshots_error", "pos-journals_error", $"{LedgerOptions.EndpointName}_error", $"{LedgerOptions.IsolatedEndpointName}_error", .. MoreErrorQueues];
        await using var connection = await Host.VirtualHost!.ConnectAsync();
        var faulted = new List<string>();
        foreach (var queue in queues)
        {
            // The endpoint itself must exist: a misspelt name would make this check pass on a queue nobody uses.
            await using (var endpoint = await connection.CreateChannelAsync())
            {
                await endpoint.QueueDeclarePassiveAsync(queue[..^"_error".Length]);
            }

            await using var channel = await connection.CreateChannelAsync();
            try
            {
                if ((await channel.QueueDeclarePassiveAsync(queue)).MessageCount is > 0 and var count
                    && await channel.BasicGetAsync(queue, autoAck: false) is { } message)
                {
                    var reason = message.BasicProperties.Headers?.TryGetValue("MT-Fault-Message", out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : "?";
                    faulted.Add($"{queue} holds {count} message(s), e.g. {reason}");
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // The queue was never declared: MassTransit declares an error queue with its first fault.
            }
        }

        Assert.True(faulted.Count == 0, string.Join(Environment.NewLine, faulted));
    }

    /// <summary>How many messages an error queue holds, and the fault reason of the first.</summary>
    protected async Task<(uint Count, string Reason)> ErrorQueueAsync(string queue)
    {
        await using var connection = await Host.VirtualHost!.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var count = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            var message = count > 0 ? await channel.BasicGetAsync(queue, autoAck: false) : null;
            var reason = message?.BasicProperties.Headers?.TryGetValue("MT-Fault-Message", out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : string.Empty;
            return (count, reason);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return (0, string.Empty); // not declared yet: MassTransit declares an error queue with its first fault
        }
    }

    /// <summary>
    /// Moves every message of <paramref name="errorQueue"/> back to its endpoint's queue, body and headers as they are
    /// (what an operator's replay does once the cause is fixed); returns how many were moved.
    /// </summary>
    protected async Task<int> ReplayErrorQueueAsync(string errorQueue)
    {
        await using var connection = await Host.VirtualHost!.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var moved = 0;
        while (await channel.BasicGetAsync(errorQueue, autoAck: false) is { } message)
        {
            var properties = new RabbitMQ.Client.BasicProperties(message.BasicProperties);
            await channel.BasicPublishAsync(string.Empty, errorQueue[..^"_error".Length], mandatory: true, properties, message.Body);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
            moved++;
        }

        return moved;
    }

    /// <summary>Subscribes to <typeparamref name="T"/> on the bus, as a downstream system (the OMS, notifications) would.</summary>
    protected async Task<Published<T>> SubscribeAsync<T>()
        where T : class
    {
        var published = new Published<T>();
        var handle = Host.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint(e => e.Handler<T>(ctx => published.Add(ctx.Message)));
        await handle.Ready;
        return published;
    }

    /// <summary>Runs an operator's SQL on the host's PostgreSQL database, as a SQL client would: plain SQL, columns by name.</summary>
    protected static async Task<List<Dictionary<string, object?>>> QueryAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    protected static string Describe(Dictionary<string, object?> row) =>
        string.Join(", ", row.Select(c => $"{c.Key}={(c.Value is DateTime t ? t.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(c.Value, System.Globalization.CultureInfo.InvariantCulture))}"));

    protected static string Json(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
}

/// <summary>The messages of one type a test's subscription has received.</summary>
public sealed class Published<T>
    where T : class
{
    private readonly ConcurrentQueue<T> _messages = new();

    public IReadOnlyList<T> Messages => [.. _messages];

    internal Task Add(T message)
    {
        _messages.Enqueue(message);
        return Task.CompletedTask;
    }

    /// <summary>Waits until a message matching <paramref name="filter"/> has arrived, and returns it.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> filter, string what)
    {
        T? found = default;
        await OrderFlowTest.EventuallyAsync(
            () => Task.FromResult((found = _messages.FirstOrDefault(filter)) is not null),
            () => $"{typeof(T).Name} {what}");
        return found!;
    }
}
