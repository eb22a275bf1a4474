using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Orders;
using StockSync.Sagas;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Orders;

/// <summary>
/// A store event for an order no flow knows is not dropped: after its retries (it might have overtaken its order) it
/// lands in the error queue of each order saga that hears it (both hear a pick), with the order id and what to do in the fault reason, ready for replay.
/// </summary>
public sealed class UnknownOrderTests(ITestOutputHelper output) : OrderFlowTest(output)
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>(base.HostSettings)
    {
        ["Orders:UnknownOrderRetryIntervals:0"] = "00:00:00.100",
        ["Orders:UnknownOrderRetryIntervals:1"] = "00:00:00.200",
    };

    [Fact]
    public async Task A_store_event_for_an_unknown_order_faults_to_both_order_queues_with_the_order_named()
    {
        var orderId = $"NOPE-{Run}";
        await Host.Services.GetRequiredService<IBus>().Publish(new OrderPicked { OrderId = orderId, LocationId = "STORE-1", PickedAt = DateTimeOffset.UtcNow });

        foreach (var queue in new[] { "click-and-collect_error", "order-fulfillment_error" })
        {
            var faulted = await Host.VirtualHost!.GetMessageAsync(queue, TimeSpan.FromSeconds(30));
            Assert.NotNull(faulted);
            var reason = Header(faulted, "MT-Fault-Message");
            Output.WriteLine($"{queue}: {reason}");
            Assert.Contains(nameof(UnknownOrderException), Header(faulted, "MT-Fault-ExceptionType"), StringComparison.Ordinal);
            Assert.Contains($"OrderPicked names order '{orderId}', which no click-and-collect or shipped order has", reason, StringComparison.Ordinal);
            Assert.Contains("replay the message from the error queue", reason, StringComparison.Ordinal);
            Assert.Contains(orderId, Encoding.UTF8.GetString(faulted.Body.Span), StringComparison.Ordinal);
        }
    }

    private static string Header(RabbitMQ.Client.BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), _ => value?.ToString() ?? string.Empty }
            : string.Empty;
}
