namespace StockSync.Contracts.Inventory;

/// <summary>
/// Units shipped from <see cref="StockMovement.LocationId"/> to <see cref="DestinationLocationId"/>.
/// OnHand at the origin decreases; InTransit at the destination increases.
/// </summary>
public sealed record TransferShipped : StockMovement
{
    /// <summary>The transfer order id; it ties the shipment to its receipt.</summary>
    public required string TransferId { get; init; }

    /// <summary>The canonical location id the units are travelling to.</summary>
    public required string DestinationLocationId { get; init; }
}

/// <summary>
/// Transferred units received at <see cref="StockMovement.LocationId"/> from <see cref="OriginLocationId"/>.
/// InTransit at the receiving location decreases and OnHand there increases.
/// </summary>
public sealed record TransferReceived : StockMovement
{
    /// <summary>The transfer order id.</summary>
    public required string TransferId { get; init; }

    /// <summary>The canonical location id the units came from.</summary>
    public required string OriginLocationId { get; init; }
}
