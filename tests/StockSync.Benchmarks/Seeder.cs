using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace StockSync.Benchmarks;

/// <summary>
/// Writes the catalogue and the positions straight into PostgreSQL with binary COPY (the API would take hours for a
/// million positions): every item, every location (a store), every SKU × location position with the seed buckets of
/// <see cref="MovementMix.Seed"/>, and one opening ledger row per position, so that positions equal the sum of the
/// ledger from the start (<c>GET /inventory/projection-check</c> holds). Column names follow the entity maps of
/// src/StockSync.Persistence (snake_case).
/// </summary>
public static class Seeder
{
    /// <summary>The source system of the opening ledger rows.</summary>
    public const string OpeningSource = "bench-seed";

    /// <summary>Seeds the database and returns how long it took.</summary>
    public static async Task<TimeSpan> SeedAsync(string connectionString, BenchmarkOptions options, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var now = DateTime.UtcNow;
        var opening = now.AddDays(-1);
        var (onHand, reserved, inTransit) = MovementMix.Seed;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);

        await using (var items = await connection.BeginBinaryImportAsync("COPY items (sku, description, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var s = 0; s < options.Skus; s++)
            {
                await items.StartRowAsync(ct);
                await items.WriteAsync(MovementMix.Sku(s), NpgsqlDbType.Varchar, ct);
                await items.WriteAsync("benchmark item", NpgsqlDbType.Varchar, ct);
                await items.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await items.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await items.CompleteAsync(ct);
        }

        await using (var locations = await connection.BeginBinaryImportAsync(
            "COPY locations (location_id, name, kind, sourcing_priority, ships_to_customers, offers_pickup, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var l = 0; l < options.Locations; l++)
            {
                await locations.StartRowAsync(ct);
                await locations.WriteAsync(MovementMix.Location(l), NpgsqlDbType.Varchar, ct);
                await locations.WriteAsync("benchmark store", NpgsqlDbType.Varchar, ct);
                await locations.WriteAsync("Store", NpgsqlDbType.Varchar, ct);
                await locations.WriteAsync(100, NpgsqlDbType.Integer, ct);
                await locations.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await locations.WriteAsync(true, NpgsqlDbType.Boolean, ct);
                await locations.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await locations.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await locations.CompleteAsync(ct);
        }

        await using (var positions = await connection.BeginBinaryImportAsync(
            "COPY positions (sku, location_id, on_hand, reserved, allocated, damaged, quarantine, safety_stock, in_transit, counted_as_of, version, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (sku, location) in Keys(options))
            {
                await positions.StartRowAsync(ct);
                await positions.WriteAsync(sku, NpgsqlDbType.Varchar, ct);
                await positions.WriteAsync(location, NpgsqlDbType.Varchar, ct);
                foreach (var bucket in new[] { onHand, reserved, 0, 0, 0, 0, inTransit })
                {
                    await positions.WriteAsync(bucket, NpgsqlDbType.Integer, ct);
                }

                await positions.WriteNullAsync(ct);
                await positions.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
                await positions.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await positions.CompleteAsync(ct);
        }

        await using (var ledger = await connection.BeginBinaryImportAsync(
            "COPY ledger_entries (sku, location_id, movement_type, source_system, source_message_id, on_hand_delta, reserved_delta, allocated_delta, damaged_delta, quarantine_delta, safety_stock_delta, in_transit_delta, occurred_at, applied_at, note) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (sku, location) in Keys(options))
            {
                await ledger.StartRowAsync(ct);
                await ledger.WriteAsync(sku, NpgsqlDbType.Varchar, ct);
                await ledger.WriteAsync(location, NpgsqlDbType.Varchar, ct);
                await ledger.WriteAsync("OpeningBalance", NpgsqlDbType.Varchar, ct);
                await ledger.WriteAsync(OpeningSource, NpgsqlDbType.Varchar, ct);
                await ledger.WriteAsync($"{sku}@{location}", NpgsqlDbType.Varchar, ct);
                foreach (var delta in new[] { onHand, reserved, 0, 0, 0, 0, inTransit })
                {
                    await ledger.WriteAsync(delta, NpgsqlDbType.Integer, ct);
                }

                await ledger.WriteAsync(opening, NpgsqlDbType.TimestampTz, ct);
                await ledger.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await ledger.WriteAsync("benchmark opening balance", NpgsqlDbType.Varchar, ct);
            }

            await ledger.CompleteAsync(ct);
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE items; ANALYZE locations; ANALYZE positions; ANALYZE ledger_entries;", connection))
        {
            await analyze.ExecuteNonQueryAsync(ct);
        }

        return watch.Elapsed;
    }

    private static IEnumerable<(string Sku, string Location)> Keys(BenchmarkOptions options)
    {
        for (var l = 0; l < options.Locations; l++)
        {
            var location = MovementMix.Location(l);
            for (var s = 0; s < options.Skus; s++)
            {
                yield return (MovementMix.Sku(s), location);
            }
        }
    }
}
