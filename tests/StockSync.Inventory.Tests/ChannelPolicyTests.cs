using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StockSync.Contracts.Inventory;

namespace StockSync.Inventory.Tests;

/// <summary>How much of ATS each sales channel may sell: exclusion, then buffer, then share (rounded down), then cap.</summary>
public sealed class ChannelPolicyTests
{
    private static readonly StockKey Key = new("SKU-1", "STORE-1");

    private static int Exposed(ChannelPolicy policy, int ats, StockKey? key = null) => policy.ExposedQuantity(key ?? Key, ats);

    private static ChannelPolicy Web => new() { ChannelId = "web" };

    [Fact]
    public void A_channel_without_rules_sees_all_of_ATS() => Assert.Equal(17, Exposed(Web, 17));

    [Fact]
    public void A_buffer_holds_units_back_from_the_channel() =>
        Assert.Equal(8, Exposed(Web with { Buffer = 2 }, 10));

    [Theory]
    [InlineData(2, 0)]
    [InlineData(1, 0)]
    [InlineData(0, 0)]
    public void A_buffer_larger_than_ATS_exposes_nothing_rather_than_a_negative_quantity(int ats, int expected) =>
        Assert.Equal(expected, Exposed(Web with { Buffer = 2 }, ats));

    [Theory]
    [InlineData(9, 50, 4)]
    [InlineData(10, 33, 3)]
    [InlineData(1, 99, 0)]
    [InlineData(10, 0, 0)]
    [InlineData(10, 100, 10)]
    public void A_share_is_a_percentage_rounded_down(int ats, int share, int expected) =>
        Assert.Equal(expected, Exposed(Web with { SharePercent = share }, ats));

    [Fact]
    public void The_share_applies_to_what_is_left_after_the_buffer() =>
        Assert.Equal(5, Exposed(Web with { Buffer = 2, SharePercent = 50 }, 12));

    [Theory]
    [InlineData(100, 20)]
    [InlineData(20, 20)]
    [InlineData(5, 5)]
    public void A_cap_limits_what_the_channel_sees(int ats, int expected) =>
        Assert.Equal(expected, Exposed(Web with { Cap = 20 }, ats));

    [Fact]
    public void A_cap_of_zero_exposes_nothing() => Assert.Equal(0, Exposed(Web with { Cap = 0 }, 50));

    [Fact]
    public void The_cap_applies_last_after_buffer_and_share()
    {
        var policy = Web with { Buffer = 10, SharePercent = 50, Cap = 15 };
        Assert.Equal(15, Exposed(policy, 50));
        Assert.Equal(10, Exposed(policy, 30));
    }

    [Fact]
    public void A_switched_off_channel_sees_nothing() =>
        Assert.Equal(0, Exposed(Web with { Excluded = true }, 100));

    [Fact]
    public void An_excluded_SKU_is_not_exposed_but_other_SKUs_are()
    {
        var policy = Web with { ExcludedSkus = new HashSet<string>(StringComparer.Ordinal) { "SKU-1" } };
        Assert.Equal(0, Exposed(policy, 100, new StockKey("SKU-1", "STORE-1")));
        Assert.Equal(100, Exposed(policy, 100, new StockKey("SKU-2", "STORE-1")));
    }

    [Fact]
    public void An_excluded_location_is_not_exposed_but_other_locations_are()
    {
        var policy = Web with { ExcludedLocations = new HashSet<string>(StringComparer.Ordinal) { "STORE-1" } };
        Assert.Equal(0, Exposed(policy, 100, new StockKey("SKU-1", "STORE-1")));
        Assert.Equal(100, Exposed(policy, 100, new StockKey("SKU-1", "DC-1")));
    }

    [Fact]
    public void A_share_of_a_very_large_ATS_does_not_overflow() =>
        Assert.Equal(int.MaxValue / 2, Exposed(Web with { SharePercent = 50 }, int.MaxValue));

    [Property]
    public Property A_valid_policy_never_exposes_more_than_ATS_nor_less_than_zero()
    {
        var policies =
            from buffer in Gen.Choose(0, 20)
            from share in Gen.Choose(0, 100)
            from cap in Gen.Choose(-1, 30)
            from excluded in Gen.Elements(false, false, false, true)
            select new ChannelPolicy { ChannelId = "mp", Buffer = buffer, SharePercent = share, Cap = cap < 0 ? null : cap, Excluded = excluded };
        var cases = from policy in policies from ats in Gen.Choose(0, 200) select (Policy: policy, Ats: ats);

        return Prop.ForAll(Arb.From(cases), c =>
        {
            Assert.Empty(c.Policy.Validate());
            var exposed = Exposed(c.Policy, c.Ats);
            Assert.InRange(exposed, 0, c.Ats);
            if (c.Policy.Cap is { } cap)
            {
                Assert.True(exposed <= cap);
            }
        });
    }

    // ---- Settings validation ----

    [Fact]
    public void A_sensible_policy_has_no_problems() =>
        Assert.Empty((Web with { Buffer = 2, SharePercent = 40, Cap = 0 }).Validate());

    [Theory]
    [InlineData(-1, 100, 5, "Channel 'web': Buffer cannot be negative.")]
    [InlineData(0, -1, 5, "Channel 'web': SharePercent must be between 0 and 100.")]
    [InlineData(0, 101, 5, "Channel 'web': SharePercent must be between 0 and 100.")]
    [InlineData(0, 100, -1, "Channel 'web': Cap cannot be negative.")]
    public void An_invalid_setting_is_reported_naming_the_channel_and_setting(int buffer, int share, int cap, string problem) =>
        Assert.Equal([problem], (Web with { Buffer = buffer, SharePercent = share, Cap = cap }).Validate());

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_channel_needs_an_id(string id) =>
        Assert.Contains("A channel needs an id.", new ChannelPolicy { ChannelId = id }.Validate());

    [Fact]
    public void Every_problem_of_a_policy_is_reported_at_once() =>
        Assert.Equal(3, (Web with { Buffer = -1, SharePercent = 200, Cap = -5 }).Validate().Count);

    [Fact]
    public void An_exposure_with_an_invalid_policy_cannot_be_created()
    {
        var error = Assert.Throws<ArgumentException>(() => new ChannelExposure([Web, new ChannelPolicy { ChannelId = "mp", Buffer = -2 }]));
        Assert.Contains("Channel 'mp': Buffer cannot be negative.", error.Message, StringComparison.Ordinal);
        Assert.Equal("policies", error.ParamName);
    }

    [Fact]
    public void A_channel_configured_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ChannelExposure([Web, Web with { Buffer = 3 }]));
        Assert.Contains("Channel 'web' is configured more than once.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Channel_ids_are_case_sensitive_so_differently_cased_ids_are_distinct_channels()
    {
        var exposure = new ChannelExposure([Web, new ChannelPolicy { ChannelId = "WEB" }]);
        Assert.Equal(2, exposure.Policies.Count);
    }

    // ---- All channels together ----

    [Fact]
    public void Every_channel_gets_its_own_quantity_from_the_same_ATS_in_channel_id_order()
    {
        var exposure = new ChannelExposure(
        [
            new ChannelPolicy { ChannelId = "web" },
            new ChannelPolicy { ChannelId = "marketplace-walmart", Buffer = 2, Cap = 5 },
            new ChannelPolicy { ChannelId = "app", SharePercent = 50 },
            new ChannelPolicy { ChannelId = "store-only", ExcludedSkus = new HashSet<string>(StringComparer.Ordinal) { "SKU-1" } },
        ]);
        var position = new StockPosition { OnHand = 12, Reserved = 1 }; // ATS 11

        var channels = exposure.For(Key, position);

        Assert.Equal(
            [
                new ChannelAvailability { ChannelId = "app", Quantity = 5 },
                new ChannelAvailability { ChannelId = "marketplace-walmart", Quantity = 5 },
                new ChannelAvailability { ChannelId = "store-only", Quantity = 0 },
                new ChannelAvailability { ChannelId = "web", Quantity = 11 },
            ],
            channels);
    }

    [Fact]
    public void When_holds_exceed_OnHand_every_channel_sees_zero()
    {
        var exposure = new ChannelExposure([Web, new ChannelPolicy { ChannelId = "mp", SharePercent = 50 }]);
        var position = new StockPosition { OnHand = 3, Allocated = 5 };

        Assert.All(exposure.For(Key, position), c => Assert.Equal(0, c.Quantity));
    }
}
