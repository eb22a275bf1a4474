using StockSync.Inventory;

namespace StockSync.Ledger;

/// <summary>
/// The <c>Channels</c> configuration section: one entry per sales channel, keyed by channel id, for example
/// <c>"Channels": { "web": {}, "marketplace-walmart": { "Buffer": 2, "SharePercent": 80 } }</c>.
/// </summary>
public sealed class ChannelOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Channels";

    /// <summary>The channels by id.</summary>
    public Dictionary<string, ChannelSettings> Channels { get; } = new(StringComparer.Ordinal);

    /// <summary>The channel policies these settings describe.</summary>
    public IEnumerable<ChannelPolicy> ToPolicies() => Channels.Select(c => new ChannelPolicy
    {
        ChannelId = c.Key,
        Buffer = c.Value.Buffer,
        SharePercent = c.Value.SharePercent,
        Cap = c.Value.Cap,
        Excluded = c.Value.Excluded,
        ExcludedSkus = c.Value.ExcludedSkus.ToHashSet(StringComparer.Ordinal),
        ExcludedLocations = c.Value.ExcludedLocations.ToHashSet(StringComparer.Ordinal),
    });
}

/// <summary>One channel's exposure settings (see <see cref="ChannelPolicy"/> for the order they apply in).</summary>
public sealed class ChannelSettings
{
    /// <summary>Units held back from the channel.</summary>
    public int Buffer { get; set; }

    /// <summary>The share of what is left after the buffer, 0 to 100.</summary>
    public int SharePercent { get; set; } = 100;

    /// <summary>The most the channel ever sees.</summary>
    public int? Cap { get; set; }

    /// <summary>The channel is switched off.</summary>
    public bool Excluded { get; set; }

    /// <summary>SKUs the channel never sells.</summary>
    public List<string> ExcludedSkus { get; } = [];

    /// <summary>Locations whose stock the channel never sells.</summary>
    public List<string> ExcludedLocations { get; } = [];
}
