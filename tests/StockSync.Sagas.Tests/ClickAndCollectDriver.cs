using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Contracts.Orders;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Entities;
using StockSync.Sagas.ClickAndCollect;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Drives click-and-collect orders through the harness the way the storefront, the payment provider and the store
/// would: each step publishes the message and waits for the saga row to show its effect.
/// </summary>
internal static class ClickAndCollectDriver
{
    public const string Sku = "SKU-1";

    /// <summary>A ReserveForPickup for <paramref name="lines"/> (one line of <see cref="Sku"/> × 2 when none are given).</summary>
    public static ReserveForPickup Reserve(string orderId, string store, params (string Sku, int Quantity)[] lines) => new()
    {
        OrderId = orderId,
        StoreId = store,
        Lines = lines.Length == 0 ? [new OrderLine { Sku = Sku, Quantity = 2 }] : [.. lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
        ChannelId = "web",
        CustomerReference = "CUST-1",
        RequestedAt = SagaHarness.Start,
    };

    public static Task<ClickAndCollectState> Saga(this SagaHarness h, string orderId) =>
        h.WaitForAsync<ClickAndCollectState>(orderId, _ => true, "existence");

    public static Task<ClickAndCollectState> InState(this SagaHarness h, string orderId, string state) =>
        h.WaitForStateAsync<ClickAndCollectState>(orderId, state);

    /// <summary>Reserves and waits for Reserved.</summary>
    public static async Task<ClickAndCollectState> ReservedAsync(this SagaHarness h, string orderId, string store, params (string Sku, int Quantity)[] lines)
    {
        await h.PublishAsync(Reserve(orderId, store, lines));
        return await h.InState(orderId, "Reserved");
    }

    /// <summary>Reserves, pays, and waits for Picking.</summary>
    public static async Task<ClickAndCollectState> PickingAsync(this SagaHarness h, string orderId, string store, params (string Sku, int Quantity)[] lines)
    {
        await h.ReservedAsync(orderId, store, lines);
        return await h.PayAsync(orderId);
    }

    /// <summary>Confirms the payment of a reserved order and waits for Picking.</summary>
    public static async Task<ClickAndCollectState> PayAsync(this SagaHarness h, string orderId)
    {
        await h.PublishAsync(new PaymentConfirmed { OrderId = orderId, PaymentReference = "PAY-" + orderId, ConfirmedAt = h.Clock.GetUtcNow() });
        return await h.InState(orderId, "Picking");
    }

    /// <summary>Reserves, pays, picks, and waits for Picked.</summary>
    public static async Task<ClickAndCollectState> PickedAsync(this SagaHarness h, string orderId, string store, params (string Sku, int Quantity)[] lines)
    {
        await h.PickingAsync(orderId, store, lines);
        await h.PublishAsync(new OrderPicked { OrderId = orderId, LocationId = store, PickedAt = h.Clock.GetUtcNow() });
        return await h.InState(orderId, "Picked");
    }

    /// <summary>Reserves, pays, picks, puts ready, and waits for ReadyForPickup.</summary>
    public static async Task<ClickAndCollectState> ReadyAsync(this SagaHarness h, string orderId, string store, params (string Sku, int Quantity)[] lines)
    {
        await h.PickedAsync(orderId, store, lines);
        await h.PublishAsync(new OrderReadyForPickup { OrderId = orderId, StoreId = store, ReadyAt = h.Clock.GetUtcNow() });
        return await h.InState(orderId, "ReadyForPickup");
    }

    /// <summary>Runs the order to Collected.</summary>
    public static async Task<ClickAndCollectState> CollectedAsync(this SagaHarness h, string orderId, string store, params (string Sku, int Quantity)[] lines)
    {
        await h.ReadyAsync(orderId, store, lines);
        await h.PublishAsync(Collected(h, orderId, store));
        return await h.InState(orderId, "Collected");
    }

    public static OrderCollected Collected(this SagaHarness h, string orderId, string store) =>
        new() { OrderId = orderId, StoreId = store, HandoverId = "POS-" + orderId, CollectedAt = h.Clock.GetUtcNow() };

    public static CancelOrder Cancel(this SagaHarness h, string orderId) =>
        new() { OrderId = orderId, Reason = "customer changed their mind", RequestedBy = "service-desk", RequestedAt = h.Clock.GetUtcNow() };

    public static OrderShortPicked ShortPick(this SagaHarness h, string orderId, string store, params (string Sku, int Quantity)[] missing) => new()
    {
        OrderId = orderId,
        LocationId = store,
        MissingLines = [.. missing.Select(m => new OrderLine { Sku = m.Sku, Quantity = m.Quantity })],
        Reason = "not on shelf",
        ReportedAt = h.Clock.GetUtcNow(),
    };

    /// <summary>The answer to a cancellation of <paramref name="orderId"/>.</summary>
    public static Task<OrderCancellationProcessed> CancellationAnswerAsync(this SagaHarness h, string orderId) =>
        h.PublishedAsync<OrderCancellationProcessed>(m => m.OrderId == orderId);

    /// <summary>The refusal of <paramref name="eventName"/> for <paramref name="orderId"/>.</summary>
    public static Task<OrderEventRefused> RefusalAsync(this SagaHarness h, string orderId, string eventName) =>
        h.PublishedAsync<OrderEventRefused>(m => m.OrderId == orderId && m.Event == eventName);

    /// <summary>The buckets a user reads: (OnHand, Reserved, Allocated, AvailableToSell).</summary>
    public static async Task<(int OnHand, int Reserved, int Allocated, int Ats)> BucketsAsync(this SagaHarness h, string location, string sku = Sku)
    {
        var p = await h.PositionAsync(sku, location);
        return (p.OnHand, p.Reserved, p.Allocated, p.AvailableToSell);
    }

    /// <summary>The ledger rows the click-and-collect flow wrote for <paramref name="orderId"/>, in order.</summary>
    public static async Task<IReadOnlyList<LedgerEntryRecord>> OrderLedgerAsync(this SagaHarness h, string orderId)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var prefix = orderId + ":";
        return await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().LedgerEntries.AsNoTracking()
            .Where(e => e.SourceSystem == ClickAndCollectSteps.SourceSystem && e.SourceMessageId.StartsWith(prefix))
            .OrderBy(e => e.Id)
            .ToListAsync();
    }

    /// <summary>Adds a location with explicit roles (for example a store that does not offer pickup).</summary>
    public static async Task LocationAsync(this SagaHarness h, string locationId, string kind, LocationFulfillment fulfillment)
    {
        await using var scope = h.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalogService>().UpsertLocationAsync(locationId, $"{kind} {locationId}", kind, default, fulfillment);
    }
}
