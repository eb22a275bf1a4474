using Npgsql;

namespace StockSync.Benchmarks;

/// <summary>Outbox lag figures of one phase, sampled every second from <c>ops_outbox_backlog</c>.</summary>
public sealed record OutboxLag(double MaxSeconds, double MeanSeconds, long MaxPending, int Samples);

/// <summary>The end check's figures and verdict.</summary>
public sealed record EndCheck(
    long Sent,
    long Processed,
    long MovementsInLedger,
    long DoubleApplied,
    long PositionsOff,
    long ProjectionOff,
    IReadOnlyDictionary<string, (long Expected, long Ledger)> Buckets)
{
    /// <summary>True when nothing was lost, nothing applied twice, and positions, seed and ledger agree.</summary>
    public bool Passed => Sent == Processed && Sent == MovementsInLedger && DoubleApplied == 0 && PositionsOff == 0 && ProjectionOff == 0
        && Buckets.Values.All(b => b.Expected == b.Ledger);

    /// <summary>One line.</summary>
    public string Verdict =>
        $"{(Passed ? "PASS" : "FAIL")}: sent {Sent}, processed {Processed} (lost {Sent - Processed}), movements in the ledger {MovementsInLedger}, " +
        $"applied twice {DoubleApplied}, positions != seed + run's ledger deltas {PositionsOff}, positions != sum of ledger {ProjectionOff}, " +
        string.Join(", ", Buckets.Select(b => $"{b.Key} sent {b.Value.Expected} / ledger {b.Value.Ledger}"));
}

/// <summary>SQL the benchmark reads the ledger with (PostgreSQL only: this is a test tool).</summary>
public sealed class LedgerProbe(string connectionString, IReadOnlyList<string> sourceSystems)
{
    /// <summary>Movements of this run in <c>processed_movements</c>.</summary>
    public async Task<long> ProcessedAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await ScalarAsync(connection, "SELECT count(*) FROM processed_movements WHERE source_system = ANY(@s)", ct);
    }

    /// <summary>The outbox's undelivered messages and the age of the oldest, in seconds.</summary>
    public async Task<(long Pending, double LagSeconds)> OutboxAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT COALESCE(SUM(pending), 0)::bigint, COALESCE(EXTRACT(EPOCH FROM now() - MIN(oldest_pending_at)), 0)::float8 FROM ops_outbox_backlog",
            connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), Math.Max(0, reader.GetDouble(1)));
    }

    /// <summary>Samples the outbox every second until <paramref name="ct"/> is cancelled.</summary>
    public async Task<OutboxLag> SampleOutboxAsync(CancellationToken ct)
    {
        var lags = new List<double>();
        long maxPending = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (pending, lag) = await OutboxAsync(ct);
                lags.Add(lag);
                maxPending = Math.Max(maxPending, pending);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The phase is over.
        }

        return new OutboxLag(lags.DefaultIfEmpty(0).Max(), lags.DefaultIfEmpty(0).Average(), maxPending, lags.Count);
    }

    /// <summary>Checks that every movement sent was applied exactly once and that positions, seed and ledger agree.</summary>
    public async Task<EndCheck> CheckAsync(long sent, ExpectedTotals expected, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(expected);
        await using var connection = await OpenAsync(ct);
        var processed = await ScalarAsync(connection, "SELECT count(*) FROM processed_movements WHERE source_system = ANY(@s)", ct);
        var inLedger = await ScalarAsync(connection,
            "SELECT count(*) FROM (SELECT DISTINCT source_system, source_message_id FROM ledger_entries WHERE source_system = ANY(@s)) m", ct);
        // A movement writes one row per key it changes (a transfer shipment two, on different keys): two rows of one
        // movement on one key would be a double apply.
        var twice = await ScalarAsync(connection,
            "SELECT count(*) FROM (SELECT 1 FROM ledger_entries WHERE source_system = ANY(@s) GROUP BY source_system, source_message_id, sku, location_id HAVING count(*) > 1) d", ct);
        var (onHand, reserved, inTransit) = MovementMix.Seed;
        var positionsOff = await ScalarAsync(connection, $"""
            SELECT count(*) FROM positions p
            LEFT JOIN (SELECT sku, location_id, SUM(on_hand_delta) oh, SUM(reserved_delta) r, SUM(allocated_delta) a, SUM(damaged_delta) d,
                              SUM(quarantine_delta) q, SUM(safety_stock_delta) ss, SUM(in_transit_delta) t
                       FROM ledger_entries WHERE source_system = ANY(@s) GROUP BY sku, location_id) l
              ON l.sku = p.sku AND l.location_id = p.location_id
            WHERE p.on_hand <> {onHand} + COALESCE(l.oh, 0) OR p.reserved <> {reserved} + COALESCE(l.r, 0) OR p.allocated <> COALESCE(l.a, 0)
               OR p.damaged <> COALESCE(l.d, 0) OR p.quarantine <> COALESCE(l.q, 0) OR p.safety_stock <> COALESCE(l.ss, 0)
               OR p.in_transit <> {inTransit} + COALESCE(l.t, 0)
            """, ct);
        var projectionOff = await ScalarAsync(connection, """
            SELECT count(*) FROM positions p
            LEFT JOIN (SELECT sku, location_id, SUM(on_hand_delta) oh, SUM(reserved_delta) r, SUM(allocated_delta) a, SUM(damaged_delta) d,
                              SUM(quarantine_delta) q, SUM(safety_stock_delta) ss, SUM(in_transit_delta) t
                       FROM ledger_entries GROUP BY sku, location_id) l
              ON l.sku = p.sku AND l.location_id = p.location_id
            WHERE p.on_hand <> COALESCE(l.oh, 0) OR p.reserved <> COALESCE(l.r, 0) OR p.allocated <> COALESCE(l.a, 0) OR p.damaged <> COALESCE(l.d, 0)
               OR p.quarantine <> COALESCE(l.q, 0) OR p.safety_stock <> COALESCE(l.ss, 0) OR p.in_transit <> COALESCE(l.t, 0)
            """, ct);
        await using var sums = new NpgsqlCommand(
            "SELECT COALESCE(SUM(reserved_delta), 0)::bigint, COALESCE(SUM(allocated_delta), 0)::bigint, COALESCE(SUM(quarantine_delta), 0)::bigint, COALESCE(SUM(in_transit_delta), 0)::bigint FROM ledger_entries WHERE source_system = ANY(@s)",
            connection);
        sums.Parameters.AddWithValue("s", sourceSystems.ToArray());
        await using var reader = await sums.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var buckets = new Dictionary<string, (long, long)>(StringComparer.Ordinal)
        {
            ["reserved"] = (expected.Reserved, reader.GetInt64(0)),
            ["allocated"] = (expected.Allocated, reader.GetInt64(1)),
            ["quarantine"] = (expected.Quarantine, reader.GetInt64(2)),
            ["in_transit"] = (expected.InTransit, reader.GetInt64(3)),
        };
        return new EndCheck(sent, processed, inLedger, twice, positionsOff, projectionOff, buckets);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        command.Parameters.AddWithValue("s", sourceSystems.ToArray());
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
