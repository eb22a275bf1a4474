using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;
using StockSync.Sagas.MarketplaceIntake;
using static StockSync.Sagas.Tests.MarketplaceDriver;
using static StockSync.Sagas.Tests.OrderFulfillmentDriver;

namespace StockSync.Sagas.Tests;

/// <summary>
/// What a host configures in the <c>Marketplaces</c> section: a policy's window, warning share and channel, the retry
/// intervals, marketplaces added by configuration alone; and the settings that stop the host from starting.
/// </summary>
public sealed class MarketplaceConfigurationTests
{
    private const string A = "SKU-A";
    private const string Dc1 = StandardDc1;
    private static readonly DateTime Start = SagaHarness.Start.UtcDateTime;

    [Theory]
    [InlineData("Marketplaces:Policies:walmart:WarnAt", "1.5", "Marketplaces:Policies:walmart:WarnAt must be a share of the window above 0 and below 1")]
    [InlineData("Marketplaces:Policies:Bad_Name:AcknowledgeWithin", "01:00:00", "'Bad_Name' is not a valid marketplace name")]
    [InlineData("Marketplaces:Policies:amazon-vendor:AcknowledgeWithin", "00:00:30", "Marketplaces:Policies:amazon-vendor:AcknowledgeWithin must be between 1 minute and 7 days")]
    [InlineData("Marketplaces:AcknowledgementRetryIntervals:0", "00:00:00", "Marketplaces:AcknowledgementRetryIntervals: each interval must be above 0 and at most 1 hour")]
    public async Task A_bad_marketplace_setting_stops_the_start_naming_the_setting(string key, string value, string expected)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => SagaHarness.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Equal(typeof(MarketplaceOptions), failure.OptionsType);
        Assert.Contains(failure.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configured_window_warning_share_channel_and_retry_intervals_apply_and_the_built_in_reason_codes_stay()
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Marketplaces:Policies:walmart:AcknowledgeWithin"] = "00:10:00",
            ["Marketplaces:Policies:walmart:WarnAt"] = "0.5",
            ["Marketplaces:Policies:walmart:ChannelId"] = "walmart-us",
            ["Marketplaces:AcknowledgementRetryIntervals:0"] = "00:00:10",
            ["Marketplaces:AcknowledgementRetryIntervals:1"] = "00:00:20",
        });
        await h.StandardLocationsAsync();
        await h.StockAsync((A, Dc1, 10));

        var saga = await h.ReceivedAsync("walmart:PO-1", (A, 2), ("SKU-NOPE", 1));

        Assert.Equal((Start.AddMinutes(10), Start.AddMinutes(5)), (saga.AcknowledgeBy, saga.WarningAt));
        Assert.Equal("SELLER_CANCEL_OUT_OF_STOCK", saga.Decisions[1].ReasonCode);

        // The n-th failure waits the n-th configured interval; the last one repeats.
        Assert.Equal(Start.AddSeconds(10), (await h.FailureRecordedAsync("walmart:PO-1", attempt: 1)).NextAttemptAt);
        Assert.Equal(1, await h.AdvanceAsync(TimeSpan.FromSeconds(10)));
        await h.AckRequestAsync("walmart:PO-1", attempt: 2);
        Assert.Equal(Start.AddSeconds(10 + 20), (await h.FailureRecordedAsync("walmart:PO-1", attempt: 2)).NextAttemptAt);
        Assert.Equal(1, await h.AdvanceAsync(TimeSpan.FromSeconds(20)));
        await h.AckRequestAsync("walmart:PO-1", attempt: 3);
        Assert.Equal(Start.AddSeconds(30 + 20), (await h.FailureRecordedAsync("walmart:PO-1", attempt: 3)).NextAttemptAt);

        // At half the ten minutes: the warning (and the fourth attempt).
        Assert.Equal(2, await h.AdvanceAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(30)));
        await h.AlertAsync("walmart:PO-1", MarketplaceAlertKind.AcknowledgementLate);
        await h.AckRequestAsync("walmart:PO-1", attempt: 4);

        await h.HandedOverAsync("walmart:PO-1", attempt: 4);
        Assert.Equal("walmart-us", (await h.PublishedAsync<FulfillOrder>(m => m.OrderId == "walmart:PO-1")).ChannelId);
        Assert.Equal("walmart-us", (await h.OrderInAsync("walmart:PO-1", "Fulfilling")).ChannelId);
    }

    [Fact]
    public async Task A_marketplace_added_by_configuration_alone_takes_orders_and_rejects_with_StockSync_own_reason_names()
    {
        await using var h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Marketplaces:Policies:target-plus:AcknowledgeWithin"] = "02:00:00" });
        await h.StandardLocationsAsync();
        await h.StockAsync((A, Dc1, 1), ("SKU-B", StandardPickupOnly, 5));

        var saga = await h.ReceivedAsync("target-plus:T-1", (A, 1), ("SKU-B", 1), ("SKU-NOPE", 1));

        Assert.Equal((Start.AddHours(2), Start.AddHours(1.5)), (saga.AcknowledgeBy, saga.WarningAt));
        Assert.Equal(
            [("1", MarketplaceLineDecision.Accepted, null), ("2", MarketplaceLineDecision.Rejected, MarketplaceRejections.OutOfStock), ("3", MarketplaceLineDecision.Rejected, MarketplaceRejections.UnknownProduct)],
            Decisions((await h.AckRequestAsync("target-plus:T-1")).Lines));
        Assert.Equal((1, 1, 0, 0), await h.SkuBucketsAsync(A, Dc1));
    }
}
