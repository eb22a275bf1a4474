using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace StockSync.Persistence.Configuration;

/// <summary>Stores <see cref="DateTime"/> as UTC and marks values read back as UTC (SQLite forgets the kind).</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
