namespace StockSync.Persistence.Entities;

/// <summary>A row of the item master: a SKU StockSync accepts movements for.</summary>
public sealed class ItemRecord
{
    public required string Sku { get; set; }

    public string? Description { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A row of the location master: a store, DC or warehouse.</summary>
public sealed class LocationRecord
{
    public required string LocationId { get; set; }

    public string? Name { get; set; }

    /// <summary>Store, DistributionCenter or Warehouse.</summary>
    public required string Kind { get; set; }

    /// <summary>WGS 84 latitude, when known: click-and-collect offers the nearest stores as alternatives.</summary>
    public double? Latitude { get; set; }

    /// <summary>WGS 84 longitude, when known.</summary>
    public double? Longitude { get; set; }

    /// <summary>Sourcing order for shipped orders: lower is tried first (DCs usually before stores).</summary>
    public int SourcingPriority { get; set; } = 100;

    /// <summary>Ships orders to customers (every DC and warehouse; a store only when it is ship-from-store eligible).</summary>
    public bool ShipsToCustomers { get; set; }

    /// <summary>Offers click-and-collect pickup (stores, by default).</summary>
    public bool OffersPickup { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
