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

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
