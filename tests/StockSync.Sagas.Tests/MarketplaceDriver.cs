using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Orders;
using StockSync.Persistence;
using StockSync.Sagas.MarketplaceIntake;
using StockSync.Sagas.OrderFulfillment;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Drives marketplace orders through <see cref="SagaHarness"/> the way a marketplace adapter would: it delivers the
/// order, reads the <see cref="AcknowledgeMarketplaceOrder"/> the intake asks it to send, and answers with the
/// marketplace's verdict (acknowledged, failed, cancelled). Orders are named by StockSync's order id
/// (<c>walmart:PO-1</c>).
/// </summary>
internal static class MarketplaceDriver
{
    public const string Walmart = "walmart";

    public const string AmazonVendor = "amazon-vendor";

    public const string Awaiting = "AwaitingAcknowledgement";

    /// <summary>When the orders were placed on the marketplace (unless a test says otherwise): the harness's start.</summary>
    public static readonly DateTimeOffset OrderedAt = SagaHarness.Start;

    /// <summary>The marketplace and its order id of StockSync's order id <c>{marketplace}:{marketplaceOrderId}</c>.</summary>
    public static (string Marketplace, string MarketplaceOrderId) Split(string orderId)
    {
        var colon = orderId.IndexOf(':', StringComparison.Ordinal);
        return (orderId[..colon], orderId[(colon + 1)..]);
    }

    /// <summary>An order of <paramref name="orderId"/> with lines numbered 1, 2, … in the order given.</summary>
    public static MarketplaceOrderReceived Order(string orderId, params (string Sku, int Quantity)[] lines)
    {
        var (marketplace, id) = Split(orderId);
        return new MarketplaceOrderReceived
        {
            Marketplace = marketplace,
            MarketplaceOrderId = id,
            Lines = [.. lines.Select((l, i) => new MarketplaceOrderLine { LineNumber = $"{i + 1}", Sku = l.Sku, Quantity = l.Quantity })],
            OrderedAt = OrderedAt,
        };
    }

    /// <summary>Delivers <paramref name="order"/> and waits until its intake is in <paramref name="state"/>.</summary>
    public static async Task<MarketplaceOrderState> ReceivedAsync(this SagaHarness h, MarketplaceOrderReceived order, string state = Awaiting)
    {
        await h.PublishAsync(order);
        return await h.IntakeInAsync(OrderIds.MarketplaceOrderId(order.Marketplace, order.MarketplaceOrderId), state);
    }

    /// <summary>Delivers an order (lines numbered 1, 2, …) and waits until it awaits its acknowledgment.</summary>
    public static Task<MarketplaceOrderState> ReceivedAsync(this SagaHarness h, string orderId, params (string Sku, int Quantity)[] lines) =>
        h.ReceivedAsync(Order(orderId, lines));

    public static Task<MarketplaceOrderState> IntakeInAsync(this SagaHarness h, string orderId, string state) =>
        h.WaitForStateAsync<MarketplaceOrderState>(orderId, state);

    public static Task<MarketplaceOrderState> IntakeWhenAsync(this SagaHarness h, string orderId, Func<MarketplaceOrderState, bool> condition, string what) =>
        h.WaitForAsync(orderId, condition, what);

    /// <summary>The acknowledgment the intake asked the adapter to send, attempt <paramref name="attempt"/>.</summary>
    public static Task<AcknowledgeMarketplaceOrder> AckRequestAsync(this SagaHarness h, string orderId, int attempt = 1) =>
        h.PublishedAsync<AcknowledgeMarketplaceOrder>(m => m.OrderId == orderId && m.Attempt == attempt);

    /// <summary>The adapter reports that the marketplace took attempt <paramref name="attempt"/>.</summary>
    public static Task AcknowledgedAsync(this SagaHarness h, string orderId, int attempt = 1)
    {
        var (marketplace, id) = Split(orderId);
        return h.PublishAsync(new MarketplaceOrderAcknowledged { Marketplace = marketplace, MarketplaceOrderId = id, Attempt = attempt, AcknowledgedAt = h.Clock.GetUtcNow() });
    }

    /// <summary>The adapter acknowledges attempt <paramref name="attempt"/> and waits for the hand-over.</summary>
    public static async Task<MarketplaceOrderState> HandedOverAsync(this SagaHarness h, string orderId, int attempt = 1)
    {
        await h.AcknowledgedAsync(orderId, attempt);
        return await h.IntakeInAsync(orderId, "HandedOver");
    }

    /// <summary>The adapter reports that attempt <paramref name="attempt"/> failed.</summary>
    public static Task FailedAsync(this SagaHarness h, string orderId, int attempt, bool retryable = true, TimeSpan? retryAfter = null, string error = "HTTP 503: service unavailable")
    {
        var (marketplace, id) = Split(orderId);
        return h.PublishAsync(new MarketplaceAcknowledgementFailed
        {
            Marketplace = marketplace,
            MarketplaceOrderId = id,
            Attempt = attempt,
            Error = error,
            Retryable = retryable,
            RetryAfter = retryAfter,
            FailedAt = h.Clock.GetUtcNow(),
        });
    }

    /// <summary>The adapter reports a failure of attempt <paramref name="attempt"/> and waits until the intake recorded it.</summary>
    public static async Task<MarketplaceOrderState> FailureRecordedAsync(this SagaHarness h, string orderId, int attempt, TimeSpan? retryAfter = null)
    {
        await h.FailedAsync(orderId, attempt, retryAfter: retryAfter);
        return await h.IntakeWhenAsync(orderId, s => s.LastError?.StartsWith($"Attempt {attempt}:", StringComparison.Ordinal) == true, $"failure of attempt {attempt} recorded");
    }

    /// <summary>The marketplace cancelled the order.</summary>
    public static Task MarketplaceCancelsAsync(this SagaHarness h, string orderId, string? reason = "customer cancelled")
    {
        var (marketplace, id) = Split(orderId);
        return h.PublishAsync(new MarketplaceOrderCancelled { Marketplace = marketplace, MarketplaceOrderId = id, Reason = reason, CancelledAt = h.Clock.GetUtcNow() });
    }

    /// <summary>An operator asks for another acknowledgment attempt.</summary>
    public static Task OperatorRetriesAsync(this SagaHarness h, string orderId)
    {
        var (marketplace, id) = Split(orderId);
        return h.PublishAsync(new RetryMarketplaceAcknowledgement { Marketplace = marketplace, MarketplaceOrderId = id, RequestedBy = "ops-1", RequestedAt = h.Clock.GetUtcNow() });
    }

    /// <summary>The operator alert of <paramref name="kind"/> about <paramref name="orderId"/>.</summary>
    public static Task<MarketplaceOrderAlert> AlertAsync(this SagaHarness h, string orderId, MarketplaceAlertKind kind) =>
        h.PublishedAsync<MarketplaceOrderAlert>(m => m.OrderId == orderId && m.Kind == kind);

    /// <summary>The intake's announcement of its move to <paramref name="state"/>.</summary>
    public static Task<OrderStatusChanged> AnnouncedAsync(this SagaHarness h, string orderId, string state) =>
        h.PublishedAsync<OrderStatusChanged>(m => m.OrderId == orderId && m.Flow == OrderFlow.MarketplaceOrderIntake && m.Status == state);

    /// <summary>Waits (polling, up to 20 s) until the bus published a fault of <typeparamref name="T"/> matching <paramref name="filter"/>.</summary>
    public static async Task<Fault<T>> FaultAsync<T>(this SagaHarness h, Func<T, bool> filter)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var fault = h.Harness.Published.Select<Fault<T>>(m => filter(m.Context.Message.Message), new CancellationToken(canceled: true)).FirstOrDefault();
            if (fault is not null)
            {
                return fault.Context.Message;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No Fault<{typeof(T).Name}> matching the filter was published.");
            await Task.Delay(20);
        }
    }

    /// <summary>The message of the <typeparamref name="TException"/> behind a fault (the state machine may have wrapped it).</summary>
    public static string FaultMessage<TException>(Fault fault)
        where TException : Exception
    {
        var chain = new List<ExceptionInfo>();
        foreach (var exception in fault.Exceptions)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                chain.Add(e);
            }
        }

        var found = chain.FirstOrDefault(e => e.ExceptionType == typeof(TException).FullName);
        Assert.True(found is not null, $"The fault is not about {typeof(TException).Name}: {string.Join(" / ", chain.Select(e => $"{e.ExceptionType}: {e.Message}"))}");
        return found.Message;
    }

    /// <summary>Line decisions as (line number, decision, reason code).</summary>
    public static IReadOnlyList<(string Line, MarketplaceLineDecision Decision, string? Code)> Decisions(IEnumerable<MarketplaceLineAcknowledgement> lines) =>
        [.. lines.Select(l => (l.LineNumber, l.Decision, l.ReasonCode))];

    /// <summary>Held units as (location, SKU, units).</summary>
    public static IReadOnlyList<(string Location, string Sku, int Quantity)> Held(IEnumerable<HeldReservation>? held) =>
        [.. (held ?? []).Select(r => (r.LocationId, r.Sku, r.Quantity)).Order()];

    /// <summary>
    /// The ledger rows the intake and the fulfillment of <paramref name="orderId"/> wrote, in order: which flow, the movement,
    /// the key, the reason code and the reserved and allocated deltas.
    /// </summary>
    public static async Task<IReadOnlyList<(string Flow, string Type, string Location, string Sku, string? Reason, int Reserved, int Allocated)>> LedgerOfAsync(this SagaHarness h, string orderId)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var prefix = orderId + ":";
        var rows = await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().LedgerEntries.AsNoTracking()
            .Where(e => (e.SourceSystem == MarketplaceOrderSteps.SourceSystem || e.SourceSystem == OrderFulfillmentSteps.SourceSystem) && e.SourceMessageId.StartsWith(prefix))
            .OrderBy(e => e.Id)
            .ToListAsync();
        return [.. rows.Select(e => (e.SourceSystem == MarketplaceOrderSteps.SourceSystem ? "intake" : "fulfillment", e.MovementType, e.LocationId, e.Sku, e.ReasonCode, e.ReservedDelta, e.AllocatedDelta))];
    }
}
