using System.Reflection;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Orders;
using StockSync.Persistence;
using StockSync.Sagas;
using StockSync.Sagas.OrderFulfillment;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// The cancellation races of <see cref="CancellationRaceTests"/>, made deterministic: a message loads the order, a
/// concurrent message of the same order commits in between (over HTTP, through the bus), and only then does the first
/// reach the ledger, which refuses a movement the committed one made impossible. That refusal comes from a stale order:
/// it must be a concurrency conflict (retried against the current row, where the saga answers the late message
/// properly), not a "ledger and saga disagree" fault that sends the message to the error queue without a retry. A
/// refusal for an order that is current still is such a fault.
/// </summary>
public sealed class StaleOrderLedgerTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    private const string Sku = "SKU-STALE";
    private const string Store = "STORE-STALE";
    private const string Dc = "DC-STALE";

    [Fact]
    public async Task A_ledger_refusal_for_an_order_changed_by_a_concurrent_message_is_a_retryable_concurrency_conflict()
    {
        await PutItemAsync(Sku);
        await PutLocationAsync(Dc, new { name = "DC", kind = "DistributionCenter" });
        await PutLocationAsync(Store, new { name = "Store", kind = "Store", shipsToCustomers = true });
        await ReceiveAsync((Sku, Dc, 2), (Sku, Store, 1));

        // A shipped order of 3 units: 2 from the DC (S1), 1 from the store (S2).
        var orderId = $"SO-{Run}-STALE";
        var path = $"/orders/{orderId}";
        var placed = await ViewAsync(await PostAsync("/orders?wait=10", new { orderId, lines = new[] { new { sku = Sku, quantity = 3 } } }), "Fulfilling", "place");
        Assert.Equal([Dc, Store], placed["shipments"]!.AsArray().Select(s => s!["locationId"]!.GetValue<string>()));

        // The cancellation's unit of work: its transaction is open and it has loaded the order, both shipments open.
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var saga = await db.Set<OrderFulfillmentState>().SingleAsync(s => s.OrderId == orderId);
            Assert.Equal(2, saga.OpenShipments);

            // Meanwhile the store dispatches its shipment, and that commits.
            await ViewAsync(await PostAsync($"{path}/shipments/{orderId}-S2/dispatched?wait=10", new { trackingNumber = "TRK-S2" }), "Fulfilling", "dispatch S2");
            await AssertBucketsAsync("S2 dispatched meanwhile", Sku, Store, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);

            // Now the cancellation reaches the ledger with the order it loaded: it releases S2's allocation, which is gone.
            var steps = scope.ServiceProvider.GetRequiredService<OrderFulfillmentSteps>();
            var cancel = Contexts.Behavior(saga, new CancelOrder { OrderId = orderId, Reason = "race", RequestedAt = DateTimeOffset.UtcNow });
            var conflict = await Assert.ThrowsAnyAsync<Exception>(() => steps.CancelAsync(cancel));
            Log($"stale cancellation: {conflict.GetType().Name}: {conflict.Message}");
            Assert.IsType<DbUpdateConcurrencyException>(conflict);
            Assert.Contains("would drive Allocated negative", conflict.Message, StringComparison.Ordinal);
        }

        // Retried against the current order, the cancellation releases what has not left and refuses what has.
        var cancelled = await ViewAsync(await PostAsync($"{path}/cancel?wait=10", new { reason = "race" }), "Completed", "cancel");
        Assert.Equal(["Cancelled", "Shipped"], cancelled["shipments"]!.AsArray().Select(s => s!["status"]!.GetValue<string>()));
        Assert.Equal((1, 2), (cancelled["lines"]![0]!["shipped"]!.GetValue<int>(), cancelled["lines"]![0]!["cancelled"]!.GetValue<int>()));
        await AssertBucketsAsync("cancelled", Sku, Dc, onHand: 2, reserved: 0, allocated: 0, availableToSell: 2);

        // The same kind of refusal for an order that is current is what it always was: the ledger and the order disagree.
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var saga = await db.Set<OrderFulfillmentState>().SingleAsync(s => s.OrderId == orderId);
            saga.Shipments[0].Status = "Requested"; // a corrupted row: S1 claims units the ledger no longer allocates
            var steps = scope.ServiceProvider.GetRequiredService<OrderFulfillmentSteps>();
            var cancel = Contexts.Behavior(saga, new CancelOrder { OrderId = orderId, Reason = "again", RequestedAt = DateTimeOffset.UtcNow });
            var disagreement = await Assert.ThrowsAsync<SagaLedgerException>(() => steps.CancelAsync(cancel));
            Log($"current order: {disagreement.GetType().Name}: {disagreement.Message}");
        }

        // Nothing of either attempt was committed; ledger and positions agree.
        await AssertBucketsAsync("after both attempts", Sku, Dc, onHand: 2, reserved: 0, allocated: 0, availableToSell: 2);
        await AssertBucketsAsync("after both attempts", Sku, Store, onHand: 0, reserved: 0, allocated: 0, availableToSell: 0);
        Assert.Equal("Completed", State(await GetJsonAsync(path)));
        await AssertProjectionConsistentAsync();
        await AssertNothingFaultedAsync();
    }
}

/// <summary>
/// A behavior context for calling a saga step directly: it carries the saga, the message and a cancellation token,
/// and refuses anything else (a step that starts needing more makes the test fail loudly rather than pass vacuously).
/// </summary>
public static class Contexts
{
    public static BehaviorContext<TSaga, TMessage> Behavior<TSaga, TMessage>(TSaga saga, TMessage message)
        where TSaga : class, SagaStateMachineInstance
        where TMessage : class
    {
        var context = DispatchProxy.Create<BehaviorContext<TSaga, TMessage>, Proxy>();
        ((Proxy)(object)context).Values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["get_Saga"] = saga,
            ["get_Instance"] = saga,
            ["get_Message"] = message,
            ["get_Data"] = message,
            ["get_CancellationToken"] = CancellationToken.None,
        };
        return context;
    }

    public class Proxy : DispatchProxy
    {
        internal Dictionary<string, object?> Values { get; set; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is not null && Values.TryGetValue(targetMethod.Name, out var value)
                ? value
                : throw new NotSupportedException($"The test's behavior context does not support {targetMethod?.DeclaringType?.Name}.{targetMethod?.Name}.");
    }
}
