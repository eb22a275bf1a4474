using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Orders;
using StockSync.Persistence;
using StockSync.Sagas.OrderFulfillment;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Drives shipped orders through <see cref="SagaHarness"/> the way the OMS and the locations would, and reads back
/// what a user checks: the order row, the buckets of a position, the ledger rows of an order, and what was delivered.
/// </summary>
internal static class OrderFulfillmentDriver
{
    /// <summary>A distribution centre, first by sourcing priority (10).</summary>
    public const string StandardDc1 = "DC-1";

    /// <summary>A second distribution centre (priority 20).</summary>
    public const string StandardDc2 = "DC-2";

    /// <summary>A ship-from-store store (priority 100).</summary>
    public const string StandardStoreA = "STORE-A";

    /// <summary>Another ship-from-store store (priority 100, after STORE-A by id).</summary>
    public const string StandardStoreB = "STORE-B";

    /// <summary>A pickup-only store with the best priority of all (1): it must never ship.</summary>
    public const string StandardPickupOnly = "STORE-P";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Adds the standard locations: two DCs, two ship-from-store stores and one pickup-only store.</summary>
    public static async Task StandardLocationsAsync(this SagaHarness h)
    {
        await h.DistributionCenterAsync(StandardDc1, priority: 10);
        await h.DistributionCenterAsync(StandardDc2, priority: 20);
        await h.StoreAsync(StandardStoreA, 51.50, -0.12, shipsToCustomers: true);
        await h.StoreAsync(StandardStoreB, 51.45, -0.97, shipsToCustomers: true);
        await h.StoreAsync(StandardPickupOnly, 51.51, -0.13, shipsToCustomers: false, priority: 1);
    }

    /// <summary>Receives stock: (SKU, location, units) each.</summary>
    public static async Task StockAsync(this SagaHarness h, params (string Sku, string Location, int Quantity)[] receipts)
    {
        foreach (var (sku, location, quantity) in receipts)
        {
            await h.ReceiveAsync(sku, location, quantity);
        }
    }

    public static Task PlaceAsync(this SagaHarness h, string orderId, params (string Sku, int Quantity)[] lines) =>
        h.PublishAsync(new FulfillOrder { OrderId = orderId, ChannelId = "web", Lines = Lines(lines), PlacedAt = h.Clock.GetUtcNow() });

    public static Task PickAsync(this SagaHarness h, string orderId, string locationId, string? shipmentId = null) =>
        h.PublishAsync(new OrderPicked { OrderId = orderId, LocationId = locationId, ShipmentId = shipmentId, PickedAt = h.Clock.GetUtcNow() });

    public static Task DispatchAsync(this SagaHarness h, string orderId, string locationId, string? shipmentId = null, string? tracking = null) =>
        h.PublishAsync(new ShipmentDispatched { OrderId = orderId, LocationId = locationId, ShipmentId = shipmentId, TrackingNumber = tracking, DispatchedAt = h.Clock.GetUtcNow() });

    public static Task ShortPickAsync(this SagaHarness h, string orderId, string locationId, string? shipmentId, params (string Sku, int Quantity)[] missing) =>
        h.PublishAsync(new OrderShortPicked { OrderId = orderId, LocationId = locationId, ShipmentId = shipmentId, MissingLines = Lines(missing), Reason = "not on shelf", ReportedAt = h.Clock.GetUtcNow() });

    public static Task CancelAsync(this SagaHarness h, string orderId, string reason = "customer changed their mind", string? by = "oms") =>
        h.PublishAsync(new CancelOrder { OrderId = orderId, Reason = reason, RequestedBy = by, RequestedAt = h.Clock.GetUtcNow() });

    /// <summary>Waits until the order is in <paramref name="state"/>.</summary>
    public static Task<OrderFulfillmentState> OrderInAsync(this SagaHarness h, string orderId, string state) =>
        h.WaitForStateAsync<OrderFulfillmentState>(orderId, state);

    /// <summary>Waits until the order satisfies <paramref name="condition"/>.</summary>
    public static Task<OrderFulfillmentState> OrderWhenAsync(this SagaHarness h, string orderId, Func<OrderFulfillmentState, bool> condition, string what) =>
        h.WaitForAsync(orderId, condition, what);

    /// <summary>
    /// Waits (polling, up to 20 s) until a <typeparamref name="T"/> matching <paramref name="filter"/> was delivered through
    /// the outbox. Unlike the harness's own <c>Consumed.Any</c>, it does not stop waiting once the bus has been idle for
    /// the harness's inactivity timeout, which the outbox (delivering after the saga's commit) can outlast.
    /// </summary>
    public static async Task<T> DeliveredEventuallyAsync<T>(this SagaHarness h, Func<T, bool> filter)
        where T : class => (await h.DeliveredEventuallyAsync(filter, count: 1))[0];

    /// <summary>Waits (polling, up to 20 s) until at least <paramref name="count"/> matching messages were delivered, and returns them all.</summary>
    public static async Task<IReadOnlyList<T>> DeliveredEventuallyAsync<T>(this SagaHarness h, Func<T, bool> filter, int count)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var delivered = h.DeliveredSoFar(filter);
            if (delivered.Count >= count)
            {
                return delivered;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Only {delivered.Count} of {count} {typeof(T).Name} matching the filter were delivered.");
            await Task.Delay(20);
        }
    }

    /// <summary>Every <typeparamref name="T"/> matching <paramref name="filter"/> delivered so far, in delivery order, without waiting.</summary>
    public static IReadOnlyList<T> DeliveredSoFar<T>(this SagaHarness h, Func<T, bool> filter)
        where T : class =>
        [.. h.Harness.Consumed.Select<T>(m => filter(m.Context.Message), new CancellationToken(canceled: true)).Select(m => m.Context.Message)];

    /// <summary>The buckets of a position that a stock controller reads: on hand, reserved, allocated, available to sell.</summary>
    public static async Task<(int OnHand, int Reserved, int Allocated, int Ats)> SkuBucketsAsync(this SagaHarness h, string sku, string locationId)
    {
        var p = await h.PositionAsync(sku, locationId);
        return (p.OnHand, p.Reserved, p.Allocated, p.AvailableToSell);
    }

    /// <summary>The ledger rows the order's saga wrote at a location, in order: movement type, reason code, on-hand and allocated deltas.</summary>
    public static async Task<IReadOnlyList<(string Type, string? Reason, int OnHand, int Allocated)>> OrderLedgerAsync(this SagaHarness h, string orderId, string sku, string locationId)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().LedgerEntries.AsNoTracking()
            .Where(e => e.SourceSystem == OrderFulfillmentSteps.SourceSystem && e.Sku == sku && e.LocationId == locationId && e.SourceMessageId.StartsWith(orderId + ":"))
            .OrderBy(e => e.Id)
            .ToListAsync();
        return [.. rows.Select(e => (e.MovementType, e.ReasonCode, e.OnHandDelta, e.AllocatedDelta))];
    }

    /// <summary>Shipments as (id, location, status, lines "SKU×n" in line order).</summary>
    public static IReadOnlyList<(string Id, string Location, string Status, string Lines)> ShipmentsOf(OrderFulfillmentState order) =>
        [.. order.Shipments.Select(s => (s.ShipmentId, s.LocationId, s.Status, string.Join(",", s.Lines.Select(l => $"{l.Sku}×{l.Quantity}"))))];

    /// <summary>A line's counters: ordered, shipped, cancelled, backordered.</summary>
    public static (int Ordered, int Shipped, int Cancelled, int Backordered) Counters(OrderFulfillmentState order, string sku)
    {
        var line = order.Line(sku);
        return (line.Ordered, line.Shipped, line.Cancelled, line.Backordered);
    }

    /// <summary>Units of a SKU allocated to the order's open shipments.</summary>
    public static int Allocated(OrderFulfillmentState order, string sku) =>
        order.Shipments.Where(s => s.IsOpen).SelectMany(s => s.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity);

    /// <summary>Order lines as "SKU×n", for comparing message lines.</summary>
    public static string Text(IEnumerable<OrderLine> lines) => string.Join(",", lines.Select(l => $"{l.Sku}×{l.Quantity}"));

    /// <summary>
    /// Waits until <paramref name="count"/> transitions of the order were announced (each step's announcement leaves
    /// in its own outbox conversation, so they may arrive in any order) and returns them as "previous→current".
    /// </summary>
    public static async Task<IReadOnlyList<string>> TransitionsAsync(this SagaHarness h, string orderId, int count) =>
        [.. (await h.DeliveredEventuallyAsync<OrderStatusChanged>(m => m.OrderId == orderId, count)).Select(m => $"{m.PreviousStatus}→{m.Status}")];

    private static List<OrderLine> Lines((string Sku, int Quantity)[] lines) => [.. lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })];
}
