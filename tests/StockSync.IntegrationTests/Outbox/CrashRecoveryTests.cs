using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using StockSync.Contracts.Inventory;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Inventory;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Ledger;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Outbox;

/// <summary>
/// Crash recovery with the real host as an OS process that is killed hard (SIGKILL) and started again on the same
/// database and RabbitMQ vhost: movements a crashed host had committed to its outbox are delivered after the
/// restart, and a host killed in the middle of consuming leaves every movement applied exactly once after the
/// restart, with the client re-sending whatever it had no 202 for. Runs once per database provider.
/// </summary>
public abstract class CrashRecoveryTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string SaleType = "urn:message:StockSync.Contracts.Inventory:SaleRecorded";
    private const string AvailabilityType = "urn:message:StockSync.Contracts.Inventory:AvailabilityChanged";
    private const int ReceivedPerKey = 1000;
    private static readonly string[] Skus = ["SKU-3001", "SKU-3002", "SKU-3003"];
    private static readonly string[] Stores = ["STORE-031", "STORE-032", "STORE-033"];
    private static readonly StockKey[] Keys = [.. Skus.SelectMany(sku => Stores.Select(store => new StockKey(sku, store)))];

    private RabbitMqVirtualHost _vhost = null!;
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _vhost = await RabbitMqVirtualHost.CreateAsync();
        _database = await TestDatabase.CreateAsync(provider);
        var configuration = TestServices.Configuration(_database);
        _services = TestServices.ForDatabase(configuration).AddStockSyncLedger(configuration).BuildServiceProvider(validateScopes: true);
        output.WriteLine($"Running against {_vhost.Description}; {_database.Description}; host processes: dotnet {HostProcess.HostAssemblyPath()}");
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    [Fact]
    public async Task Messages_committed_to_the_outbox_before_a_crash_are_delivered_exactly_once_after_restart()
    {
        const int count = 200;
        await SeedAsync();
        var sales = Sales(count);

        await using (var a = await StartHostAsync("A", HostSettings(("Outbox__DispatcherEnabled", "false"))))
        {
            foreach (var request in sales.Chunk(50))
            {
                using var response = await PostAsync(a, request);
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /movements answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            await WaitUntilAsync(async () => (await OutboxAsync()).Count(r => r.IsSale && r.DeliveredAt is null) == count, "the sales to be in the outbox, undelivered", a);
            a.Kill();
            output.WriteLine($"{a} accepted {count} sales into the outbox with its dispatcher off, and was killed (SIGKILL)");
        }

        Assert.Equal(0, await AppliedAsync());
        Assert.Equal(count, (await OutboxAsync()).Count(r => r.IsSale && r.DeliveredAt is null));

        await using var availability = await AvailabilityTap.StartAsync(_vhost);
        await using var b = await StartHostAsync("B", HostSettings());
        await WaitUntilAsync(async () => await AppliedAsync() == count, "host B to apply every sale", b);
        await WaitUntilAsync(
            async () =>
            {
                var rows = await OutboxAsync();
                return rows.All(r => r.DeliveredAt is not null) && availability.Received.Count >= rows.Count(r => r.IsAvailability);
            },
            "every outbox row to be delivered and every AvailabilityChanged to arrive",
            b);

        var outbox = await OutboxAsync();
        var received = availability.Received.ToList();
        output.WriteLine(
            $"{b} delivered {outbox.Count(r => r.IsSale)} sales and {outbox.Count(r => r.IsAvailability)} AvailabilityChanged from the outbox; " +
            $"{received.Count} AvailabilityChanged read from a queue bound to {AvailabilityTap.Exchange}");

        // Every movement applied exactly once, and the positions are the seed minus the sales.
        var ledger = await InDbAsync(db => db.LedgerEntries.AsNoTracking().Where(e => e.MovementType == nameof(SaleRecorded)).Select(e => e.SourceMessageId).ToListAsync());
        Assert.Equal(count, ledger.Count);
        var perSource = ledger.GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        Assert.All(sales, s => Assert.Equal(1, perSource.GetValueOrDefault(s.SourceMessageId)));
        var positions = await PositionsAsync();
        Assert.Equal(Expected(sales), positions.ToDictionary(p => p.Key, p => p.Value.OnHand));
        Assert.Empty(await InScopeAsync(sp => sp.GetRequiredService<InventoryQueries>().FindProjectionMismatchesAsync(default)));

        // Every outbox row delivered, each sale received once by the ledger.
        Assert.All(outbox, r => Assert.NotNull(r.DeliveredAt));
        var saleIds = outbox.Where(r => r.IsSale).Select(r => r.MessageId).ToHashSet();
        var inbox = (await InboxAsync()).Where(i => saleIds.Contains(i.MessageId)).ToList();
        Assert.Equal(count, inbox.Count);
        Assert.All(inbox, i => Assert.Equal(1, i.ReceiveCount));

        await AssertNothingFaultedAsync();

        // Every AvailabilityChanged on the broker once, and the newest one per key tells the final position.
        Assert.Empty(availability.Errors);
        Assert.Equal(received.Count, received.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(outbox.Where(r => r.IsAvailability).Select(r => r.MessageId).Order(), received.Select(m => m.MessageId).Order());
        var newest = received.GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.MaxBy(m => m.Version)!);
        Assert.Equal(Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal), newest.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        foreach (var (key, position) in positions)
        {
            Assert.Equal((position.Version, position.OnHand), (newest[key].Version, newest[key].OnHand));
        }
    }

    [Fact]
    public async Task A_host_killed_while_consuming_applies_every_movement_once_after_restart()
    {
        const int count = 1500;
        const int perRequest = 50;
        const int killAfterApplied = 100;
        await SeedAsync();
        var sales = Sales(count);
        var requests = sales.Chunk(perRequest).ToList();
        var accepted = new bool[requests.Count];
        // A killed replica keeps its outbox partitions until the lease ends (30 s by default): shorter here.
        var settings = HostSettings(("Outbox__PartitionLease", "00:00:03"));

        int killedDuring;
        int appliedByA;
        await using (var a = await StartHostAsync("A", settings))
        {
            killedDuring = -1;
            var acceptedSoFar = 0;
            var appliedSeen = 0;
            for (var i = 0; i < requests.Count && killedDuring < 0; i++)
            {
                // From a third of the stream on, the host is killed as soon as the ledger has applied a few batches and
                // is behind the intake; at two thirds at the latest, so that the stream is never over before the crash.
                if (i >= requests.Count / 3)
                {
                    appliedSeen = await AppliedAsync();
                    var latest = i >= requests.Count * 2 / 3;
                    if (latest && appliedSeen < killAfterApplied)
                    {
                        await WaitUntilAsync(async () => (appliedSeen = await AppliedAsync()) >= killAfterApplied, "host A to apply some sales", a);
                    }

                    if ((appliedSeen >= killAfterApplied && appliedSeen < acceptedSoFar) || latest)
                    {
                        // Killed with this request in flight: the client cannot tell whether it was stored.
                        var inFlight = PostAsync(a, requests[i]);
                        a.Kill();
                        accepted[i] = await IsAcceptedAsync(inFlight);
                        killedDuring = i;
                        break;
                    }
                }

                accepted[i] = await IsAcceptedAsync(PostAsync(a, requests[i]));
                Assert.True(accepted[i], $"{a} refused request {i}:{Environment.NewLine}{a.RecentOutput()}");
                acceptedSoFar += requests[i].Length;
            }

            appliedByA = await AppliedAsync();
            output.WriteLine(
                $"{a} killed (SIGKILL) during request {killedDuring} of {requests.Count} ({perRequest} sales each): {acceptedSoFar} sales accepted before it, " +
                $"the ledger had applied {appliedSeen} when the kill was decided and {appliedByA} when the process was gone; " +
                $"the request in flight {(accepted[killedDuring] ? "got its 202" : "got no answer")}");
        }

        Assert.True(appliedByA > 0, "host A applied some sales before the kill");
        Assert.True(appliedByA < count, "host A was killed before it applied every sale");

        await using var b = await StartHostAsync("B", settings);
        // Every request without a 202 again, with the same source ids; and, as a client that gave up waiting for the
        // answer would, the last request A did accept: its sales are business duplicates and must apply once.
        var lastAccepted = Array.FindLastIndex(accepted, x => x);
        var resend = Enumerable.Range(0, requests.Count).Where(i => !accepted[i] || i == lastAccepted).ToList();
        foreach (var i in resend)
        {
            using var response = await PostAsync(b, requests[i]);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /movements to {b} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var resent = resend.Sum(i => requests[i].Length);

        await WaitUntilAsync(async () => await AppliedAsync() == count, "host B to apply every sale", b);
        // Settled: nothing left in the outbox, and the ledger consumed every sale message (duplicates included).
        await WaitUntilAsync(
            async () =>
            {
                var rows = await OutboxAsync();
                var consumed = (await InboxAsync()).Select(i => i.MessageId).ToHashSet();
                return rows.All(r => r.DeliveredAt is not null) && rows.Where(r => r.IsSale).All(r => consumed.Contains(r.MessageId));
            },
            "the outbox to drain and the ledger to consume every sale message",
            b);

        var processed = await InDbAsync(db => db.ProcessedMovements.AsNoTracking().Where(p => p.MovementType == nameof(SaleRecorded)).Select(p => p.SourceMessageId).ToListAsync());
        Assert.Equal(count, processed.Count);
        Assert.Equal(sales.Select(s => s.SourceMessageId).Order(StringComparer.Ordinal), processed.Order(StringComparer.Ordinal));
        var ledger = await InDbAsync(db => db.LedgerEntries.AsNoTracking().Where(e => e.MovementType == nameof(SaleRecorded)).Select(e => e.SourceMessageId).ToListAsync());
        Assert.Equal(count, ledger.Count);
        Assert.Equal(count, ledger.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(await InScopeAsync(sp => sp.GetRequiredService<InventoryQueries>().FindProjectionMismatchesAsync(default)));
        var sums = await InDbAsync(db => db.LedgerEntries.AsNoTracking().GroupBy(e => new { e.Sku, e.LocationId }).Select(g => new { g.Key.Sku, g.Key.LocationId, OnHand = g.Sum(e => e.OnHandDelta) }).ToListAsync());
        var positions = await PositionsAsync();
        Assert.Equal(sums.ToDictionary(s => new StockKey(s.Sku, s.LocationId), s => s.OnHand), positions.ToDictionary(p => p.Key, p => p.Value.OnHand));
        Assert.Equal(Expected(sales), positions.ToDictionary(p => p.Key, p => p.Value.OnHand));

        await AssertNothingFaultedAsync();

        var saleRows = (await OutboxAsync()).Where(r => r.IsSale).ToList();
        Assert.True(saleRows.Count >= count + perRequest, $"{saleRows.Count} sale messages: the re-sent accepted request makes at least {perRequest} duplicates");
        var saleIds = saleRows.Select(r => r.MessageId).ToHashSet();
        var redelivered = (await InboxAsync()).Where(i => saleIds.Contains(i.MessageId) && i.ReceiveCount > 1).ToList();
        output.WriteLine(
            $"Applied by A before the kill: {appliedByA} of {count}; sent to {b}: {resent} sales in {resend.Count} requests (request {lastAccepted}, accepted by A, again); " +
            $"sale messages stored in the outbox: {saleRows.Count} ({saleRows.Count - count} duplicates by source id, applied once); " +
            $"redelivered transport messages acknowledged by the inbox without effects: {redelivered.Count} messages, {redelivered.Sum(i => i.ReceiveCount - 1)} extra deliveries");
    }

    /// <summary>The configuration of every host these tests start, plus <paramref name="extra"/>.</summary>
    private static Dictionary<string, string> HostSettings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task<HostProcess> StartHostAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var host = await HostProcess.StartAsync(name, _database, _vhost, settings);
        output.WriteLine($"Started {host} with {string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}"))}");
        return host;
    }

    /// <summary>Migrates the database, adds the items and locations, and receives <see cref="ReceivedPerKey"/> units at every key.</summary>
    private async Task SeedAsync()
    {
        await _services.MigrateStockSyncDatabaseAsync();
        await InScopeAsync(async sp =>
        {
            var catalog = sp.GetRequiredService<CatalogService>();
            foreach (var sku in Skus)
            {
                await catalog.UpsertItemAsync(sku, null, default);
            }

            foreach (var store in Stores)
            {
                await catalog.UpsertLocationAsync(store, null, "Store", default);
            }

            return true;
        });
        var receipts = Keys.Select(k => (StockMovement)Movements.Receipt(k.Sku, k.LocationId, ReceivedPerKey)).ToList();
        var result = await InScopeAsync(sp => sp.GetRequiredService<LedgerBatchWriter>().ApplyAsync(receipts, default));
        Assert.Equal(receipts.Count, result.Applied);
    }

    /// <summary>Sales spread over every key, each with a source id of its own.</summary>
    private static List<SaleRecorded> Sales(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Movements.Sale(Keys[i % Keys.Length].Sku, Keys[i % Keys.Length].LocationId, 1 + (i / Keys.Length % 3), at: Movements.Morning.AddSeconds(i)))];

    private static Dictionary<StockKey, int> Expected(IEnumerable<SaleRecorded> sales)
    {
        var expected = Keys.ToDictionary(k => k, _ => ReceivedPerKey);
        foreach (var sale in sales)
        {
            expected[new StockKey(sale.Sku, sale.LocationId)] -= sale.Quantity;
        }

        return expected;
    }

    private static async Task<HttpResponseMessage> PostAsync(HostProcess host, IReadOnlyList<SaleRecorded> sales)
    {
        var body = new JsonArray([.. sales.Select(s =>
        {
            var node = JsonSerializer.SerializeToNode(s, JsonSerializerOptions.Web)!.AsObject();
            node["type"] = nameof(SaleRecorded);
            return (JsonNode)node;
        })]);
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await host.Client.PostAsync(new Uri("/movements", UriKind.Relative), content);
    }

    /// <summary>Whether a POST got its 202; a request the kill cut off counts as not accepted (the client re-sends it).</summary>
    private static async Task<bool> IsAcceptedAsync(Task<HttpResponseMessage> post)
    {
        try
        {
            using var response = await post;
            return response.StatusCode == HttpStatusCode.Accepted;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    private Task<int> AppliedAsync() =>
        InDbAsync(db => db.ProcessedMovements.CountAsync(p => p.MovementType == nameof(SaleRecorded)));

    private async Task<List<OutboxRow>> OutboxAsync() =>
        [.. (await InDbAsync(db => db.OutboxMessages.AsNoTracking().Select(m => new { m.MessageId, m.MessageType, m.DeliveredAt }).ToListAsync()))
            .Select(m => new OutboxRow(m.MessageId, m.MessageType, m.DeliveredAt))];

    private Task<List<InboxRow>> InboxAsync() =>
        InDbAsync(db => db.InboxStates.AsNoTracking().Select(i => new InboxRow(i.MessageId, i.ReceiveCount)).ToListAsync());

    private async Task<Dictionary<StockKey, (long Version, int OnHand)>> PositionsAsync() =>
        (await InDbAsync(db => db.Positions.AsNoTracking().ToListAsync()))
            .ToDictionary(p => new StockKey(p.Sku, p.LocationId), p => (p.Version, p.OnHand));

    private Task<T> InDbAsync<T>(Func<StockSyncDbContext, Task<T>> query) =>
        InScopeAsync(sp => query(sp.GetRequiredService<StockSyncDbContext>()));

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; on timeout, fails with the state of the database and the host's last output.</summary>
    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, HostProcess host, int seconds = 45)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var outbox = await OutboxAsync();
                Assert.Fail(
                    $"Timed out after {seconds} s waiting for {what}. Applied sales: {await AppliedAsync()}; outbox rows: {outbox.Count}, " +
                    $"undelivered: {outbox.Count(r => r.DeliveredAt is null)}; broker queues: {Describe(await QueueDepthsAsync())}; {host} {(host.HasExited ? "has exited" : "is running")}. " +
                    $"Its last output:{Environment.NewLine}{host.RecentOutput()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>No movement went to the ledger's error queues.</summary>
    private async Task AssertNothingFaultedAsync()
    {
        var depths = await QueueDepthsAsync();
        Assert.True(
            depths.Where(d => d.Key.EndsWith("_error", StringComparison.Ordinal)).All(d => d.Value is null or 0),
            $"Movements were faulted into an error queue: {Describe(depths)}");
    }

    /// <summary>How many messages wait in the ledger's queues and error queues (null: the queue does not exist).</summary>
    private async Task<Dictionary<string, uint?>> QueueDepthsAsync()
    {
        string[] queues = [LedgerOptions.EndpointName, $"{LedgerOptions.EndpointName}_error", LedgerOptions.IsolatedEndpointName, $"{LedgerOptions.IsolatedEndpointName}_error"];
        var depths = new Dictionary<string, uint?>(StringComparer.Ordinal);
        await using var connection = await _vhost.ConnectAsync();
        foreach (var queue in queues)
        {
            try
            {
                // A channel per queue: asking for a queue that does not exist closes the channel.
                await using var channel = await connection.CreateChannelAsync();
                depths[queue] = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                depths[queue] = null;
            }
        }

        return depths;
    }

    private static string Describe(Dictionary<string, uint?> depths) =>
        string.Join(", ", depths.Select(d => $"{d.Key}={(d.Value is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}"));

    private sealed record OutboxRow(Guid MessageId, string MessageType, DateTime? DeliveredAt)
    {
        public bool IsSale => MessageType.Split(';').Contains(SaleType, StringComparer.Ordinal);

        public bool IsAvailability => MessageType.Split(';').Contains(AvailabilityType, StringComparer.Ordinal);
    }

    private sealed record InboxRow(Guid MessageId, int ReceiveCount);

    private sealed record ReceivedAvailability(Guid MessageId, StockKey Key, long Version, int OnHand);

    /// <summary>
    /// A queue of the test's own bound to the <see cref="AvailabilityChanged"/> fanout exchange, as a downstream
    /// system would bind one: it sees every copy the broker routes, so a duplicate send shows as a repeated message id.
    /// </summary>
    private sealed class AvailabilityTap : IAsyncDisposable
    {
        /// <summary>MassTransit's publish exchange for the contract: the message type's namespace and name.</summary>
        public const string Exchange = "StockSync.Contracts.Inventory:AvailabilityChanged";

        private const string Queue = "crash-test-availability-changed";
        private readonly IConnection _connection;
        private readonly IChannel _channel;

        private AvailabilityTap(IConnection connection, IChannel channel)
        {
            _connection = connection;
            _channel = channel;
        }

        public ConcurrentQueue<ReceivedAvailability> Received { get; } = new();

        public ConcurrentQueue<string> Errors { get; } = new();

        /// <summary>Declares the exchange as MassTransit does (fanout, durable), and a queue bound to it, and starts reading.</summary>
        public static async Task<AvailabilityTap> StartAsync(RabbitMqVirtualHost vhost)
        {
            var connection = await vhost.ConnectAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(Queue, Exchange, string.Empty);
            var tap = new AvailabilityTap(connection, channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                tap.Read(delivery);
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(Queue, autoAck: true, consumer);
            return tap;
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }

        private void Read(BasicDeliverEventArgs delivery)
        {
            try
            {
                using var envelope = JsonDocument.Parse(delivery.Body);
                var message = envelope.RootElement.GetProperty("message");
                // The transport message id MassTransit sets on the AMQP properties (the envelope carries the same).
                var messageId = delivery.BasicProperties.MessageId ?? envelope.RootElement.GetProperty("messageId").GetString()!;
                Received.Enqueue(new ReceivedAvailability(
                    Guid.Parse(messageId),
                    new StockKey(message.GetProperty("sku").GetString()!, message.GetProperty("locationId").GetString()!),
                    message.GetProperty("version").GetInt64(),
                    message.GetProperty("onHand").GetInt32()));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                Errors.Enqueue($"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }
}

/// <summary>Crash recovery of the host process on RabbitMQ and PostgreSQL.</summary>
[Collection(HostProcessesRunAlone.Name)]
public sealed class CrashRecoveryOnPostgreSqlTests(ITestOutputHelper output) : CrashRecoveryTests(DatabaseProvider.PostgreSql, output);

/// <summary>Crash recovery of the host process on RabbitMQ and SQLite.</summary>
[Collection(HostProcessesRunAlone.Name)]
public sealed class CrashRecoveryOnSqliteTests(ITestOutputHelper output) : CrashRecoveryTests(DatabaseProvider.Sqlite, output);
