using StockSync.Adapters.Ecommerce.Webhooks;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Ecommerce.Tests;

/// <summary>What an order takes over of its checkout's hold, and what it gives back.</summary>
public sealed class CheckoutHandOverTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static readonly TakenHold Hold = new(
        "shopify",
        "tok-1",
        "shopify-checkout:tok-1",
        "DC-01",
        [new HeldLine("SKU-1001", 3, "checkout:tok-1:SKU-1001:hold"), new HeldLine("SKU-1002", 1, "checkout:tok-1:SKU-1002:hold")]);

    [Fact]
    public void An_order_for_what_was_held_takes_every_held_unit_over_and_releases_nothing()
    {
        var (takenOver, leftOver) = Hold.HandOver([Line("SKU-1001", 3), Line("SKU-1002", 1)], Now);
        Assert.Equal([("SKU-1001", 3), ("SKU-1002", 1)], takenOver.Select(r => (r.Sku, r.Quantity)));
        Assert.All(takenOver, r => Assert.Equal(("DC-01", "shopify-checkout:tok-1"), (r.LocationId, r.ReservationId)));
        Assert.Empty(leftOver);
    }

    [Fact]
    public void Held_units_the_order_does_not_use_are_released()
    {
        var (takenOver, leftOver) = Hold.HandOver([Line("SKU-1001", 2), Line("SKU-2000", 5)], Now);
        Assert.Equal([("SKU-1001", 2)], takenOver.Select(r => (r.Sku, r.Quantity)));
        Assert.Equal([("SKU-1001", 1), ("SKU-1002", 1)], leftOver.Select(r => (r.Sku, r.Quantity)));
        Assert.All(leftOver, r => Assert.Equal(("shopify", "DC-01", "shopify-checkout:tok-1"), (r.SourceSystem, r.LocationId, r.ReservationId)));
        Assert.Equal("checkout:tok-1:SKU-1001:release", leftOver[0].SourceMessageId);
    }

    [Fact]
    public void Ids_longer_than_a_column_are_shortened_stably()
    {
        var longId = "checkout:" + new string('t', 200);
        var bounded = StableIds.Bounded(longId);
        Assert.True(bounded.Length <= 128);
        Assert.Equal(bounded, StableIds.Bounded(longId));
        Assert.NotEqual(bounded, StableIds.Bounded(longId + "x"));
        Assert.Equal("short", StableIds.Bounded("short"));
    }

    private static OrderLine Line(string sku, int quantity) => new() { Sku = sku, Quantity = quantity };
}
