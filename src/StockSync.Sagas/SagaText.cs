using StockSync.Persistence.Configuration;

namespace StockSync.Sagas;

/// <summary>Text the sagas store in bounded columns.</summary>
internal static class SagaText
{
    /// <summary>
    /// A reason cut to its column (<see cref="Lengths.Text"/>): a rejection of many lines, a long backorder or a long
    /// cancellation reason from the bus must never make the saga row unsavable (PostgreSQL and SQL Server refuse it).
    /// </summary>
    public static string? FitReason(string? value) =>
        value is { Length: > Lengths.Text } ? string.Concat(value.AsSpan(0, Lengths.Text - 1), "…") : value;
}
