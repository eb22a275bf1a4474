namespace StockSync.Contracts.Inventory;

/// <summary>
/// Published after movements change a SKU × location position: the new buckets, available-to-sell, and the
/// quantity exposed to every configured sales channel. <see cref="Version"/> increases monotonically per key,
/// so a consumer keeps the highest version it has seen and drops older ones.
/// </summary>
public sealed record AvailabilityChanged
{
    /// <summary>The canonical SKU.</summary>
    public required string Sku { get; init; }

    /// <summary>The canonical location id.</summary>
    public required string LocationId { get; init; }

    /// <summary>The position's version after the change; strictly increasing per SKU × location.</summary>
    public required long Version { get; init; }

    /// <summary>Physical units at the location.</summary>
    public required int OnHand { get; init; }

    /// <summary>Soft holds.</summary>
    public required int Reserved { get; init; }

    /// <summary>Units allocated to accepted orders.</summary>
    public required int Allocated { get; init; }

    /// <summary>Damaged units.</summary>
    public required int Damaged { get; init; }

    /// <summary>Quarantined units.</summary>
    public required int Quarantine { get; init; }

    /// <summary>The safety-stock buffer.</summary>
    public required int SafetyStock { get; init; }

    /// <summary>Units on their way to the location.</summary>
    public required int InTransit { get; init; }

    /// <summary>Available-to-sell: never negative.</summary>
    public required int AvailableToSell { get; init; }

    /// <summary>The quantity each configured channel may sell, after its policy (buffer, share, cap, exclusion).</summary>
    public required IReadOnlyList<ChannelAvailability> Channels { get; init; }

    /// <summary>When the newest movement behind this change occurred in its source system.</summary>
    public required DateTimeOffset LatestMovementOccurredAt { get; init; }

    /// <summary>When StockSync applied the change.</summary>
    public required DateTimeOffset ChangedAt { get; init; }
}

/// <summary>The quantity one sales channel may sell at a SKU × location.</summary>
public sealed record ChannelAvailability
{
    /// <summary>The channel id from configuration, for example <c>web</c> or <c>marketplace-walmart</c>.</summary>
    public required string ChannelId { get; init; }

    /// <summary>The exposed quantity: zero or more, never above available-to-sell.</summary>
    public required int Quantity { get; init; }
}
