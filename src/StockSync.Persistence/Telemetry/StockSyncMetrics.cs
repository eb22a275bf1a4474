using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using StockSync.Contracts.Inventory;

namespace StockSync.Persistence.Telemetry;

/// <summary>
/// The names of StockSync's own telemetry: the <c>StockSync</c> meter and activity source, the instruments and the
/// tags. Every project that records (ledger, outbox, sweeper, dead letters, reconciliation, adapters) references
/// StockSync.Persistence, so the names live here, once.
/// </summary>
public static class StockSyncTelemetry
{
    /// <summary>The meter and the activity source.</summary>
    public const string Name = "StockSync";

    /// <summary>StockSync's own spans: ledger batch apply, outbox delivery, channel push.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Instrument names (OpenTelemetry style; the Prometheus exporter turns dots into underscores and adds unit suffixes).</summary>
    public static class Instruments
    {
        public const string SaleToAvailabilityLatency = "stocksync.availability.latency";
        public const string MovementsApplied = "stocksync.ledger.movements.applied";
        public const string DuplicatesDropped = "stocksync.ledger.duplicates.dropped";
        public const string SequenceGaps = "stocksync.ledger.sequence_gaps.detected";
        public const string DivergenceMismatches = "stocksync.reconciliation.mismatches";
        public const string DivergenceUnits = "stocksync.reconciliation.units_off";
        public const string DeadlinesMissed = "stocksync.deadlines.missed";
        public const string AcknowledgementDeadlinesMissed = "stocksync.marketplace.acknowledgement_deadlines.missed";
        public const string DeadLettersIngested = "stocksync.dead_letters.ingested";
        public const string DeadLettersOpen = "stocksync.dead_letters.open";
        public const string OutboxLag = "stocksync.outbox.lag";
        public const string OutboxPending = "stocksync.outbox.pending";
        public const string ChannelPushQueueLength = "stocksync.channel.push_queue.length";
        public const string StorefrontRequests = "stocksync.storefront.requests";
        public const string StorefrontAvailabilityLatency = "stocksync.storefront.availability_latency";
    }

    /// <summary>Tag names, on metrics and spans.</summary>
    public static class Tags
    {
        public const string MovementType = "movement_type";
        public const string SourceSystem = "source_system";
        public const string Deadline = "deadline";
        public const string SourceQueue = "source_queue";
        public const string Outcome = "outcome";
        public const string Source = "source";
        public const string Channel = "channel";
        public const string Sku = "stocksync.sku";
        public const string LocationId = "stocksync.location_id";
        public const string OrderId = "stocksync.order_id";
    }

    /// <summary>Histogram bounds for latencies from 1 ms to 60 s (seconds).</summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
}

/// <summary>
/// The instruments of the <c>StockSync</c> meter, one per process (a singleton; with the host's
/// <see cref="IMeterFactory"/>, each host gets its own meter instance, which keeps tests apart). Counters and
/// histograms are recorded where things happen; observable gauges read values kept here: the database-backed ones
/// are refreshed by <see cref="DatabaseGaugeRefresher"/>, never queried on scrape.
/// </summary>
public sealed class StockSyncMetrics : IDisposable
{
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _availabilityLatency;
    private readonly Counter<long> _movementsApplied;
    private readonly Counter<long> _duplicatesDropped;
    private readonly Counter<long> _sequenceGaps;
    private readonly Counter<long> _deadlinesMissed;
    private readonly Counter<long> _acknowledgementDeadlinesMissed;
    private readonly Counter<long> _deadLettersIngested;
    private readonly Counter<long> _storefrontRequests;
    private readonly Histogram<double> _storefrontLatency;
    private readonly ConcurrentDictionary<string, Func<int>> _pushQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Mismatches, long UnitsOff)> _divergence = new(StringComparer.Ordinal);
    private DatabaseGauges? _database;

    /// <summary>Creates the meter through <paramref name="meterFactory"/> (the host's), or on its own when there is none.</summary>
    public StockSyncMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(StockSyncTelemetry.Name) ?? new Meter(StockSyncTelemetry.Name);
        var latencyAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = StockSyncTelemetry.LatencyBuckets };
        _availabilityLatency = Meter.CreateHistogram(
            StockSyncTelemetry.Instruments.SaleToAvailabilityLatency, "s",
            "From a movement's occurred-at to the delivery to the broker of the AvailabilityChanged it caused (the newest movement of the batch for that key).",
            advice: latencyAdvice);
        _movementsApplied = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.MovementsApplied, "{movement}", "Movements the ledger applied, by movement type.");
        _duplicatesDropped = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.DuplicatesDropped, "{movement}", "Movements the ledger dropped as duplicates (same message, or same source message id and content).");
        _sequenceGaps = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.SequenceGaps, "{gap}", "Gaps detected in a source's sequence numbers, by source system.");
        _deadlinesMissed = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.DeadlinesMissed, "{deadline}", "Deadline events the sweeper published because their due time passed, by deadline.");
        _acknowledgementDeadlinesMissed = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.AcknowledgementDeadlinesMissed, "{order}", "Marketplace orders whose acknowledgment deadline passed unacknowledged.");
        _deadLettersIngested = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.DeadLettersIngested, "{message}", "Messages copied from an _error queue into dead_letters (a new row, or a repeat failure of an open one).");
        _storefrontRequests = Meter.CreateCounter<long>(StockSyncTelemetry.Instruments.StorefrontRequests, description: "Inventory API calls to the storefront, by outcome.");
        _storefrontLatency = Meter.CreateHistogram(
            StockSyncTelemetry.Instruments.StorefrontAvailabilityLatency, "s", "From a position change to the storefront's acknowledgement of its value.", advice: latencyAdvice);

        Meter.CreateObservableGauge(StockSyncTelemetry.Instruments.DivergenceMismatches, ObserveMismatches, "{key}", "SKU × location pairs that differed in the latest reconciliation, by snapshot source.");
        Meter.CreateObservableGauge(StockSyncTelemetry.Instruments.DivergenceUnits, ObserveUnitsOff, "{unit}", "Sum of the absolute on-hand differences in the latest reconciliation, by snapshot source.");
        Meter.CreateObservableGauge(StockSyncTelemetry.Instruments.OutboxLag, ObserveOutboxLag, "s", "Age of the oldest outbox message not yet delivered to the broker (0 when none waits).");
        Meter.CreateObservableGauge(StockSyncTelemetry.Instruments.OutboxPending, () => Observe(d => d.OutboxPending), "{message}", "Outbox messages not yet delivered to the broker.");
        Meter.CreateObservableGauge(StockSyncTelemetry.Instruments.DeadLettersOpen, () => Observe(d => d.DeadLettersOpen), "{message}", "Dead letters waiting for an operator (status Open).");
        Meter.CreateObservableGauge(StockSyncTelemetry.Instruments.ChannelPushQueueLength, ObservePushQueues, "{key}", "SKU × location keys with a value waiting to be pushed to a channel, by channel.");
    }

    /// <summary>The <c>StockSync</c> meter of this process.</summary>
    public Meter Meter { get; }

    /// <summary>Clock for the outbox lag gauge (the refresher sets the host's).</summary>
    internal TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>The ledger applied movements of these types (one entry per movement).</summary>
    public void MovementsApplied(IEnumerable<string> movementTypes)
    {
        ArgumentNullException.ThrowIfNull(movementTypes);
        foreach (var group in movementTypes.GroupBy(t => t, StringComparer.Ordinal))
        {
            _movementsApplied.Add(group.Count(), new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.MovementType, group.Key));
        }
    }

    /// <summary>The ledger dropped <paramref name="count"/> duplicates.</summary>
    public void DuplicatesDropped(int count)
    {
        if (count > 0)
        {
            _duplicatesDropped.Add(count);
        }
    }

    /// <summary>The ledger opened these sequence gaps.</summary>
    public void SequenceGapsDetected(IEnumerable<SequenceGapDetected> gaps)
    {
        ArgumentNullException.ThrowIfNull(gaps);
        foreach (var gap in gaps)
        {
            _sequenceGaps.Add(1, new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.SourceSystem, gap.SourceSystem));
        }
    }

    /// <summary>An <see cref="AvailabilityChanged"/> reached the broker <paramref name="latency"/> after its newest movement occurred.</summary>
    public void AvailabilityPublished(TimeSpan latency) => _availabilityLatency.Record(Math.Max(0, latency.TotalSeconds));

    /// <summary>The sweeper published <paramref name="count"/> events of <paramref name="deadline"/>.</summary>
    public void DeadlinesMissed(string deadline, int count)
    {
        if (count > 0)
        {
            _deadlinesMissed.Add(count, new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.Deadline, deadline));
        }
    }

    /// <summary>A marketplace order's acknowledgment deadline passed unacknowledged.</summary>
    public void AcknowledgementDeadlineMissed(string marketplace) =>
        _acknowledgementDeadlinesMissed.Add(1, new KeyValuePair<string, object?>("marketplace", marketplace));

    /// <summary>A message from <paramref name="sourceQueue"/>'s error queue was recorded (<paramref name="outcome"/>: added or failed_again).</summary>
    public void DeadLetterIngested(string sourceQueue, string outcome) =>
        _deadLettersIngested.Add(
            1,
            new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.SourceQueue, sourceQueue),
            new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.Outcome, outcome));

    /// <summary>A reconciliation completed: the divergence gauges show its result (for its snapshot source) from now on.</summary>
    public void ReconciliationCompleted(ReconciliationCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        _divergence[completed.Source] = (completed.Mismatches, completed.UnitsOff);
    }

    /// <summary>The storefront answered an inventory call (<paramref name="outcome"/>: ok, throttled, failed).</summary>
    public void StorefrontRequest(string outcome) =>
        _storefrontRequests.Add(1, new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.Outcome, outcome));

    /// <summary>A value reached the storefront <paramref name="seconds"/> after its position changed.</summary>
    public void StorefrontLatency(double seconds) => _storefrontLatency.Record(seconds);

    /// <summary>Reports the push queue of <paramref name="channel"/> (a channel adapter's pending keys) as a gauge.</summary>
    public void RegisterPushQueue(string channel, Func<int> length) => _pushQueues[channel] = length;

    /// <summary>The latest figures read from the database (see <see cref="DatabaseGaugeRefresher"/>).</summary>
    public void UpdateDatabaseGauges(DatabaseGauges gauges) => Volatile.Write(ref _database, gauges);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private IEnumerable<Measurement<int>> ObserveMismatches() =>
        [.. _divergence.Select(d => new Measurement<int>(d.Value.Mismatches, new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.Source, d.Key)))];

    private IEnumerable<Measurement<long>> ObserveUnitsOff() =>
        [.. _divergence.Select(d => new Measurement<long>(d.Value.UnitsOff, new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.Source, d.Key)))];

    private IEnumerable<Measurement<int>> ObservePushQueues() =>
        [.. _pushQueues.Select(q => new Measurement<int>(q.Value(), new KeyValuePair<string, object?>(StockSyncTelemetry.Tags.Channel, q.Key)))];

    private IEnumerable<Measurement<double>> ObserveOutboxLag()
    {
        if (Volatile.Read(ref _database) is not { } database)
        {
            return [];
        }

        var age = database.OldestUndeliveredAt is { } oldest ? (Time.GetUtcNow() - oldest).TotalSeconds : 0;
        return [new Measurement<double>(Math.Max(0, age))];
    }

    private IEnumerable<Measurement<long>> Observe(Func<DatabaseGauges, long> read) =>
        Volatile.Read(ref _database) is { } database ? [new Measurement<long>(read(database))] : [];
}

/// <summary>Figures read from the database for the observable gauges.</summary>
/// <param name="OutboxPending">Outbox messages not yet delivered.</param>
/// <param name="OldestUndeliveredAt">When the oldest of them was stored; null when none waits.</param>
/// <param name="DeadLettersOpen">Dead letters with status Open.</param>
/// <param name="ReadAt">When the figures were read.</param>
public sealed record DatabaseGauges(long OutboxPending, DateTimeOffset? OldestUndeliveredAt, long DeadLettersOpen, DateTimeOffset ReadAt);
