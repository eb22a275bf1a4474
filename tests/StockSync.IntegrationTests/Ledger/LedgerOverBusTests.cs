using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Inventory;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Ledger;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Ledger;

/// <summary>
/// The ledger end to end on a real broker: movements published on RabbitMQ change positions, announce
/// <see cref="AvailabilityChanged"/>, apply once, and refuse bad input into an error queue with the reason.
/// Runs once per database provider (see the concrete classes below).
/// </summary>
public abstract class LedgerOverBusTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Sku = "SKU-1001";
    private const string Store = "STORE-001";
    private StockSyncHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: true, provider);
        output.WriteLine($"Running against {_host.Description}");
        await _host.SeedCatalogAsync([Sku], [Store, "STORE-002"]);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_sale_published_on_the_bus_changes_the_position_and_announces_availability()
    {
        var availability = await _host.SubscribeAvailabilityAsync();
        var bus = _host.Services.GetRequiredService<IBus>();

        await bus.Publish(Movements.Receipt(Sku, Store, 10));
        var afterReceipt = await NextFor(availability, Sku, Store);
        await bus.Publish(Movements.Sale(Sku, Store, 3));
        var afterSale = await NextFor(availability, Sku, Store);

        Assert.Equal(10, afterReceipt.OnHand);
        Assert.Equal(7, afterSale.OnHand);
        Assert.Equal(7, afterSale.AvailableToSell);
        Assert.True(afterSale.Version > afterReceipt.Version, "the per-key version increases");
        Assert.Contains(afterSale.Channels, c => c.ChannelId == "marketplace" && c.Quantity == 4); // (7 − 2) × 80 %
        var position = await PositionAsync();
        Assert.Equal(7, position.OnHand);
        Assert.Empty(await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().FindProjectionMismatchesAsync(default)));
    }

    [Fact]
    public async Task A_duplicate_sale_is_applied_once()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        await bus.Publish(Movements.Receipt(Sku, Store, 10));
        await _host.Received.WaitForAsync(LedgerOptions.EndpointName, 1);

        var sale = Movements.Sale(Sku, Store, 2);
        await bus.Publish(sale);
        await bus.Publish(sale);
        await bus.Publish(sale with { Quantity = 5 }); // a redelivery with another body is still the same movement
        await _host.Received.WaitForAsync(LedgerOptions.EndpointName, 4);

        Assert.Equal(8, (await PositionAsync()).OnHand);
        var ledger = await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().GetLedgerAsync(Sku, Store, 100, null, default));
        Assert.Single(ledger, e => e.SourceMessageId == sale.SourceMessageId);
    }

    [Fact]
    public async Task A_burst_of_receipts_and_sales_on_a_few_hot_positions_applies_every_movement_once_and_faults_nothing()
    {
        // Receipts and sales are batched by separate consumers, so before the ledger had partitions their batches
        // collided on these positions' versions, retried, and under load could exhaust the retries into the error queue.
        var bus = _host.Services.GetRequiredService<IBus>();
        var partitions = _host.Services.GetRequiredService<LedgerPartitions>();
        var retriesBefore = partitions.Retries;
        var stores = new[] { Store, "STORE-002" };
        var published = new List<StockMovement>();
        var expected = new Dictionary<string, int> { [Store] = 0, ["STORE-002"] = 0 };
        for (var round = 0; round < 150; round++)
        {
            var store = stores[round % 2];
            StockMovement[] pair = [Movements.Receipt(Sku, store, 3), Movements.Sale(Sku, store, 1 + (round % 2))];
            expected[store] += 3 - (1 + (round % 2));
            published.AddRange(pair);
        }

        foreach (var chunk in published.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(m => bus.Publish(m, m.GetType())));
        }

        await _host.Received.WaitForAsync(LedgerOptions.EndpointName, published.Count, TimeSpan.FromSeconds(90));

        // The pairs were published concurrently, so a sale may overtake its receipt: it is refused in its batch and
        // applied alone from the isolated queue once the receipt is in (its negative-bucket retries). Wait for those.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        LocationPositionView[] positions;
        do
        {
            var view = await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().GetSkuAsync(Sku, default));
            positions = [.. stores.Select(store => Assert.Single(view!.Locations, l => l.LocationId == store))];
        }
        while (positions.Any(p => p.OnHand != expected[p.LocationId]) && DateTime.UtcNow < deadline && await Delay());

        Assert.All(positions, p => Assert.Equal(expected[p.LocationId], p.OnHand));
        var ledger = await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().GetLedgerAsync(Sku, Store, 1000, null, default));
        var sentHere = published.Where(m => m.LocationId == Store).Select(m => m.SourceMessageId).ToHashSet();
        Assert.Equal(sentHere.Count, ledger.Count(e => sentHere.Contains(e.SourceMessageId))); // one audit row each, none twice

        // The partitions never conflict with each other; the only other writer here is the isolated queue, which
        // applies an overtaking sale alone and can meet its partition on the position (a retry, never a fault).
        var isolated = _host.Received.Completed(LedgerOptions.IsolatedEndpointName);
        Assert.InRange(partitions.Retries - retriesBefore, 0, isolated);
        Assert.Null(await _host.VirtualHost!.GetMessageAsync($"{LedgerOptions.EndpointName}_error", TimeSpan.FromSeconds(1)));
        Assert.Null(await _host.VirtualHost!.GetMessageAsync($"{LedgerOptions.IsolatedEndpointName}_error", TimeSpan.FromSeconds(1)));
        Assert.Empty(await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().FindProjectionMismatchesAsync(default)));
        output.WriteLine($"{published.Count} movements on {stores.Length} positions applied; {isolated} applied alone after overtaking their receipt; partition retries {partitions.Retries - retriesBefore}");

        static async Task<bool> Delay()
        {
            await Task.Delay(200);
            return true;
        }
    }

    [Fact]
    public async Task A_movement_for_an_unknown_sku_lands_in_the_error_queue_with_its_reason()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        var stranger = Movements.Sale("SKU-NOT-IN-MASTER", Store, 1);

        await bus.Publish(stranger);

        var faulted = await _host.VirtualHost!.GetMessageAsync($"{LedgerOptions.IsolatedEndpointName}_error", TimeSpan.FromSeconds(30));
        Assert.NotNull(faulted);
        var reason = Header(faulted, "MT-Fault-Message");
        output.WriteLine($"Read from the broker's {LedgerOptions.IsolatedEndpointName}_error queue: {reason}");
        Assert.Contains("Unknown SKU 'SKU-NOT-IN-MASTER'", reason, StringComparison.Ordinal);
        Assert.Contains(nameof(MovementRejectedException), Header(faulted, "MT-Fault-ExceptionType"), StringComparison.Ordinal);
        Assert.Contains(stranger.SourceMessageId, Encoding.UTF8.GetString(faulted.Body.Span), StringComparison.Ordinal);
        Assert.Null(await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().GetSkuAsync("SKU-NOT-IN-MASTER", default)));
    }

    [Fact]
    public async Task A_sale_that_would_drive_on_hand_negative_is_refused_and_its_neighbours_still_apply()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        await bus.Publish(Movements.Receipt(Sku, Store, 2));
        await _host.Received.WaitForAsync(LedgerOptions.EndpointName, 1);

        var tooMany = Movements.Sale(Sku, Store, 5);
        await bus.PublishBatch([Movements.Sale(Sku, Store, 1), tooMany, Movements.Sale(Sku, Store, 1)]);

        var faulted = await _host.VirtualHost!.GetMessageAsync($"{LedgerOptions.IsolatedEndpointName}_error", TimeSpan.FromSeconds(30));
        Assert.NotNull(faulted);
        var reason = Header(faulted, "MT-Fault-Message");
        output.WriteLine($"Read from the broker's error queue: {reason}");
        Assert.Contains("would drive OnHand negative", reason, StringComparison.Ordinal);
        Assert.Contains(tooMany.SourceMessageId, reason, StringComparison.Ordinal);
        await _host.Received.WaitForAsync(LedgerOptions.EndpointName, 4);
        Assert.Equal(0, (await PositionAsync()).OnHand);
    }

    [Fact]
    public async Task A_malformed_movement_lands_in_the_error_queue_with_the_field_named()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        await bus.Publish(Movements.Sale(Sku, Store, 1) with { Quantity = -4 });

        var faulted = await _host.VirtualHost!.GetMessageAsync($"{LedgerOptions.IsolatedEndpointName}_error", TimeSpan.FromSeconds(30));
        Assert.NotNull(faulted);
        var reason = Header(faulted, "MT-Fault-Message");
        output.WriteLine($"Read from the broker's error queue: {reason}");
        Assert.Contains("quantity: The quantity must be positive", reason, StringComparison.Ordinal);
    }

    private async Task<LocationPositionView> PositionAsync()
    {
        var view = await _host.QueryAsync(sp => sp.GetRequiredService<InventoryQueries>().GetSkuAsync(Sku, default));
        return Assert.Single(view!.Locations, l => l.LocationId == Store);
    }

    private static async Task<AvailabilityChanged> NextFor(System.Threading.Channels.ChannelReader<AvailabilityChanged> reader, string sku, string location)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await reader.ReadAsync(cts.Token);
            if (message.Sku == sku && message.LocationId == location)
            {
                return message;
            }
        }
    }

    private static string Header(RabbitMQ.Client.BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), _ => value?.ToString() ?? string.Empty }
            : string.Empty;
}

/// <summary>The ledger on RabbitMQ and PostgreSQL.</summary>
public sealed class LedgerOverBusOnPostgreSqlTests(ITestOutputHelper output) : LedgerOverBusTests(DatabaseProvider.PostgreSql, output);

/// <summary>The ledger on RabbitMQ and SQLite.</summary>
public sealed class LedgerOverBusOnSqliteTests(ITestOutputHelper output) : LedgerOverBusTests(DatabaseProvider.Sqlite, output);
