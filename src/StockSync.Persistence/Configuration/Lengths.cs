namespace StockSync.Persistence.Configuration;

/// <summary>Column lengths shared by the maps.</summary>
public static class Lengths
{
    /// <summary>Ids from outside (SKU, location, source system, message id); matches the intake validator.</summary>
    public const int Id = 128;

    /// <summary>Free text such as notes and descriptions.</summary>
    public const int Text = 1000;

    /// <summary>Broker addresses (MassTransit URIs) kept with outbox messages.</summary>
    public const int Address = 512;
}
