using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// How much of a position's available-to-sell one sales channel may sell. The rules apply in this order:
/// exclusion (the channel, the SKU or the location is excluded: 0), then the buffer (ATS − Buffer), then the
/// share (a percentage, rounded down), then the cap. The result is never negative and never above ATS.
/// </summary>
public sealed record ChannelPolicy
{
    /// <summary>The channel id, for example <c>web</c> or <c>marketplace-walmart</c>.</summary>
    public required string ChannelId { get; init; }

    /// <summary>Units held back from this channel (for example a marketplace sees ATS − 2).</summary>
    public int Buffer { get; init; }

    /// <summary>The percentage of what is left after the buffer that the channel sees, 0 to 100.</summary>
    public int SharePercent { get; init; } = 100;

    /// <summary>The most the channel ever sees, or <see langword="null"/> for no cap.</summary>
    public int? Cap { get; init; }

    /// <summary>The channel sees nothing at all (switched off).</summary>
    public bool Excluded { get; init; }

    /// <summary>SKUs this channel never sells (for example store-only SKUs).</summary>
    public IReadOnlySet<string> ExcludedSkus { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Locations whose stock this channel never sells.</summary>
    public IReadOnlySet<string> ExcludedLocations { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The quantity this channel may sell at <paramref name="key"/> when ATS is <paramref name="availableToSell"/>.</summary>
    public int ExposedQuantity(StockKey key, int availableToSell)
    {
        if (Excluded || ExcludedSkus.Contains(key.Sku) || ExcludedLocations.Contains(key.LocationId))
        {
            return 0;
        }

        var afterBuffer = Math.Max(0, availableToSell - Buffer);
        var shared = (int)((long)afterBuffer * SharePercent / 100);
        return Cap is { } cap ? Math.Min(shared, cap) : shared;
    }

    /// <summary>Problems with the policy's own settings; empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ChannelId))
        {
            problems.Add("A channel needs an id.");
        }

        if (Buffer < 0)
        {
            problems.Add($"Channel '{ChannelId}': Buffer cannot be negative.");
        }

        if (SharePercent is < 0 or > 100)
        {
            problems.Add($"Channel '{ChannelId}': SharePercent must be between 0 and 100.");
        }

        if (Cap is < 0)
        {
            problems.Add($"Channel '{ChannelId}': Cap cannot be negative.");
        }

        return problems;
    }
}

/// <summary>The configured channels, applied together to a position.</summary>
public sealed class ChannelExposure
{
    private readonly IReadOnlyList<ChannelPolicy> _policies;

    /// <summary>Creates the exposure calculator; throws when a policy is invalid or a channel id repeats.</summary>
    public ChannelExposure(IEnumerable<ChannelPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _policies = [.. policies.OrderBy(p => p.ChannelId, StringComparer.Ordinal)];
        var problems = _policies.SelectMany(p => p.Validate()).ToList();
        var repeated = _policies.GroupBy(p => p.ChannelId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        problems.AddRange(repeated.Select(id => $"Channel '{id}' is configured more than once."));
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(policies));
        }
    }

    /// <summary>The configured policies, ordered by channel id.</summary>
    public IReadOnlyList<ChannelPolicy> Policies => _policies;

    /// <summary>The exposed quantity of every channel for one position.</summary>
    public IReadOnlyList<ChannelAvailability> For(StockKey key, StockPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var ats = position.AvailableToSell;
        return [.. _policies.Select(p => new ChannelAvailability { ChannelId = p.ChannelId, Quantity = p.ExposedQuantity(key, ats) })];
    }
}
