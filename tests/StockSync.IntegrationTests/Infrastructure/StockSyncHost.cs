using System.Collections.Concurrent;
using System.Threading.Channels;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Inventory;
using StockSync.Ledger;
using StockSync.Persistence;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// The real StockSync host (its Program, configuration, transport and database) on the infrastructure a test chose:
/// RabbitMQ in a vhost of its own or the in-memory transport, and a database of its own.
/// </summary>
public sealed class StockSyncHost : WebApplicationFactory<Program>
{
    private readonly RabbitMqVirtualHost? _vhost;
    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;

    private StockSyncHost(RabbitMqVirtualHost? vhost, TestDatabase database, Dictionary<string, string?> settings)
    {
        _vhost = vhost;
        _database = database;
        _settings = settings;
    }

    public RabbitMqVirtualHost? VirtualHost => _vhost;

    public TestDatabase Database => _database;

    /// <summary>
    /// Where the host listens over real HTTP (Kestrel on a free loopback port), when started with <c>realHttp</c>;
    /// otherwise null (the in-memory test server: use <c>CreateClient()</c>).
    /// </summary>
    public Uri? Address { get; private set; }

    /// <summary>Names the broker and database this host runs against, for the test output.</summary>
    public string Description => $"{_vhost?.Description ?? "MassTransit in-memory transport"}; {_database.Description}";

    /// <summary>Every message a receive endpoint has finished with, by queue name.</summary>
    public ReceiveLog Received { get; } = new();

    /// <summary>
    /// Starts a host on RabbitMQ (a fresh vhost) or the in-memory transport, with a fresh database of the given provider;
    /// with <paramref name="realHttp"/> it listens on a free loopback port (<see cref="Address"/>), so that other
    /// processes (the simulators) can call it over HTTP.
    /// </summary>
    public static async Task<StockSyncHost> StartAsync(bool rabbitMq, DatabaseProvider provider, IDictionary<string, string?>? settings = null, bool realHttp = false)
    {
        var vhost = rabbitMq ? await RabbitMqVirtualHost.CreateAsync() : null;
        var database = await TestDatabase.CreateAsync(provider);
        var all = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Transport:Kind"] = rabbitMq ? "RabbitMq" : "InMemory",
            ["Ledger:BatchTimeLimit"] = "00:00:00.010",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // Postings still queue; only the ERP tests, which start the ERP simulator, send them.
            ["Erp:Postings:DispatcherEnabled"] = "false",
            // Faulted messages stay in the _error queues, where tests read them; only the dead-letter tests ingest them.
            ["Operations:DeadLetters:Enabled"] = "false",
            ["Security:Mode"] = "Development",
        };
        if (vhost is not null)
        {
            all["Transport:RabbitMq:Host"] = TestEnvironment.RabbitHost;
            all["Transport:RabbitMq:Port"] = TestEnvironment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            all["Transport:RabbitMq:VirtualHost"] = vhost.Name;
            all["Transport:RabbitMq:Username"] = TestEnvironment.RabbitUser;
            all["Transport:RabbitMq:Password"] = TestEnvironment.RabbitPassword;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        if (realHttp)
        {
            all["urls"] = "http://127.0.0.1:0";
        }

        var host = new StockSyncHost(vhost, database, all);
        if (realHttp)
        {
            host.UseKestrel();
            host.StartServer(); // builds and starts the host: migrations run, the bus connects
            var addresses = host.Services.GetRequiredService<IServer>().Features
                .Get<IServerAddressesFeature>()!.Addresses;
            host.Address = new Uri(addresses.First());
            host.ClientOptions.BaseAddress = host.Address;
        }
        else
        {
            _ = host.Server; // builds and starts the host: migrations run, the bus connects
        }

        await host.WaitForBusAsync();
        host.Services.GetRequiredService<IBusControl>().ConnectReceiveObserver(host.Received);
        return host;
    }

    /// <summary>Adds items and locations to the catalogue.</summary>
    public async Task SeedCatalogAsync(IEnumerable<string> skus, IEnumerable<string> locations)
    {
        await using var scope = Services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogService>();
        foreach (var sku in skus)
        {
            await catalog.UpsertItemAsync(sku, null, CancellationToken.None);
        }

        foreach (var location in locations)
        {
            await catalog.UpsertLocationAsync(location, null, location.StartsWith("DC", StringComparison.Ordinal) ? "DistributionCenter" : "Store", CancellationToken.None);
        }
    }

    /// <summary>Subscribes to <see cref="AvailabilityChanged"/> through the bus, as a downstream system would.</summary>
    public async Task<ChannelReader<AvailabilityChanged>> SubscribeAvailabilityAsync()
    {
        var channel = Channel.CreateUnbounded<AvailabilityChanged>();
        var bus = Services.GetRequiredService<IBus>();
        var handle = bus.ConnectReceiveEndpoint(e => e.Handler<AvailabilityChanged>(ctx => channel.Writer.WriteAsync(ctx.Message).AsTask()));
        await handle.Ready;
        return channel.Reader;
    }

    /// <summary>Runs a query against the host's database in a scope of its own.</summary>
    public async Task<T> QueryAsync<T>(Func<IServiceProvider, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
        if (_vhost is not null)
        {
            await _vhost.DisposeAsync();
        }
    }

    private async Task WaitForBusAsync()
    {
        var bus = Services.GetRequiredService<IBusControl>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.WaitForHealthStatus(BusHealthStatus.Healthy, cts.Token);
    }
}

/// <summary>Counts the messages each receive endpoint has finished (consumed, faulted or forwarded), so tests wait for work to settle instead of sleeping.</summary>
public sealed class ReceiveLog : IReceiveObserver
{
    private readonly ConcurrentDictionary<string, int> _completed = new(StringComparer.Ordinal);

    public int Completed(string queue) => _completed.GetValueOrDefault(queue);

    /// <summary>Waits until <paramref name="queue"/> has finished at least <paramref name="count"/> messages.</summary>
    public async Task WaitForAsync(string queue, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Completed(queue) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{queue} finished {Completed(queue)} messages, expected {count}.");
            }

            await Task.Delay(20);
        }
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        _completed.AddOrUpdate(context.InputAddress.AbsolutePath.Split('/')[^1], 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        _completed.AddOrUpdate(context.InputAddress.AbsolutePath.Split('/')[^1], 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
