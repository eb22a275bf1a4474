namespace StockSync.Inventory;

/// <summary>One SKU at one location: the grain of every position and ledger row.</summary>
public readonly record struct StockKey(string Sku, string LocationId)
{
    /// <inheritdoc />
    public override string ToString() => $"{Sku}@{LocationId}";
}
