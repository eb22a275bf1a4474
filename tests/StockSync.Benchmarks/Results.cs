using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockSync.Benchmarks;

/// <summary>Sale-to-AvailabilityChanged latency of one phase, in milliseconds.</summary>
public sealed record Latency(int Sales, int Matched, double P50, double P95, double P99, double Max)
{
    /// <summary>How a sale is matched with the availability change that shows it.</summary>
    public const string Matching =
        "For each sale sent, the first AvailabilityChanged received for its SKU x location whose LatestMovementOccurredAt is at or " +
        "after the sale's OccurredAt (the ledger coalesces one AvailabilityChanged per key per batch, carrying the newest OccurredAt " +
        "among the batch's movements on that key, so a later change also covers the sale); latency = its arrival at the benchmark's " +
        "own queue minus the sale's OccurredAt, which is the instant the benchmark published it (same clock). A sale whose change " +
        "never came (e.g. its OnHand part was absorbed by a newer count) is left unmatched.";

    /// <summary>Matches the sales with the availability changes received.</summary>
    public static Latency Measure(IReadOnlyList<SentSale> sales, ILookup<(string, string), AvailabilityObservation> changes)
    {
        ArgumentNullException.ThrowIfNull(sales);
        ArgumentNullException.ThrowIfNull(changes);
        var latencies = new List<double>(sales.Count);
        foreach (var sale in sales)
        {
            foreach (var change in changes[(sale.Sku, sale.LocationId)])
            {
                if (change.LatestMovementOccurredAt >= sale.OccurredAt)
                {
                    latencies.Add((change.ReceivedAt - sale.OccurredAt).TotalMilliseconds);
                    break;
                }
            }
        }

        latencies.Sort();
        return new Latency(sales.Count, latencies.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99),
            latencies.Count == 0 ? 0 : latencies[^1]);
    }

    /// <summary>The changes received, by key, in arrival order (for <see cref="Measure"/>).</summary>
    public static ILookup<(string, string), AvailabilityObservation> ByKey(IEnumerable<AvailabilityObservation> observations) =>
        observations.OrderBy(o => o.ReceivedAt).ToLookup(o => (o.Sku, o.LocationId));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>One load phase's figures.</summary>
public sealed record PhaseResult(
    string Name,
    double OfferedPerSecond,
    long Published,
    double DurationSeconds,
    long AppliedInPhase,
    double SustainedPerSecond,
    double DrainSeconds,
    Latency Latency,
    OutboxLag OutboxLag,
    IReadOnlyDictionary<string, double> CpuSeconds,
    IReadOnlyDictionary<string, long> PublishedByType)
{
    /// <summary>Movements published in the phase over the time from its start until the host had applied them all.</summary>
    public double ThroughDrainPerSecond => Published / (DurationSeconds + DrainSeconds);

    /// <summary>CPU as a percentage of one core over the phase and its drain.</summary>
    public IReadOnlyDictionary<string, double> CpuPercentOfOneCore =>
        CpuSeconds.ToDictionary(c => c.Key, c => 100 * c.Value / (DurationSeconds + DrainSeconds), StringComparer.Ordinal);
}

/// <summary>The raw-transport baseline's figures.</summary>
public sealed record BaselineResult(long Published, double PublishedPerSecond, long ConsumedInWindow, double ConsumedPerSecond, double DurationSeconds, IReadOnlyDictionary<string, double> CpuSeconds)
{
    /// <summary>CPU as a percentage of one core over the baseline.</summary>
    public IReadOnlyDictionary<string, double> CpuPercentOfOneCore =>
        CpuSeconds.ToDictionary(c => c.Key, c => 100 * c.Value / DurationSeconds, StringComparer.Ordinal);
}

/// <summary>Everything one run measured; written as JSON and as Markdown.</summary>
public sealed record BenchmarkReport(
    string RunId,
    DateTimeOffset StartedAt,
    string Command,
    string Machine,
    string Database,
    string Broker,
    long Positions,
    double SeedSeconds,
    BaselineResult? Baseline,
    IReadOnlyList<PhaseResult> Phases,
    string EndCheck,
    bool Passed)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The latency matching rule, as printed.</summary>
    public string LatencyMatching { get; } = Latency.Matching;

    /// <summary>Product throughput at maximum rate over the baseline's, when both ran.</summary>
    public double? RatioToBaseline =>
        Baseline is { ConsumedPerSecond: > 0 } b && Phases.Count > 0 ? Phases[^1].SustainedPerSecond / b.ConsumedPerSecond : null;

    /// <summary>Product throughput through the drain at maximum rate over the baseline's.</summary>
    public double? ThroughDrainRatioToBaseline =>
        Baseline is { ConsumedPerSecond: > 0 } b && Phases.Count > 0 ? Phases[^1].ThroughDrainPerSecond / b.ConsumedPerSecond : null;

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The report as a Markdown summary.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# StockSync benchmark {RunId}").AppendLine();
        md.AppendLine(c, $"- Command: `{Command}`");
        md.AppendLine(c, $"- Machine: {Machine}");
        md.AppendLine(c, $"- {Database}; {Broker}");
        md.AppendLine(c, $"- Seeded {Positions:N0} positions (plus items, locations and one opening ledger row each) in {SeedSeconds:0.0} s").AppendLine();
        md.AppendLine("| phase | offered/s | published | applied in phase | sustained/s | drain after (s) | applied/s through drain | p50 ms | p95 ms | p99 ms | max ms | sales matched | outbox lag max/mean (s) | outbox pending max |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in Phases)
        {
            md.AppendLine(c, $"| {p.Name} | {p.OfferedPerSecond:0} | {p.Published} | {p.AppliedInPhase} | {p.SustainedPerSecond:0} | {p.DrainSeconds:0.0} | {p.ThroughDrainPerSecond:0} | {p.Latency.P50:0} | {p.Latency.P95:0} | {p.Latency.P99:0} | {p.Latency.Max:0} | {p.Latency.Matched}/{p.Latency.Sales} | {p.OutboxLag.MaxSeconds:0.00}/{p.OutboxLag.MeanSeconds:0.00} | {p.OutboxLag.MaxPending} |");
        }

        md.AppendLine();
        if (Baseline is { } b)
        {
            md.AppendLine(c, $"Raw transport baseline (MassTransit publish + consume of the same mix, own vhost, no database): published {b.PublishedPerSecond:0}/s, consumed {b.ConsumedPerSecond:0}/s.");
            md.AppendLine(c, $"Product / baseline, maximum-rate phase: sustained (applied while publishing) **{RatioToBaseline:0.00}**, through the drain **{ThroughDrainRatioToBaseline:0.00}**.").AppendLine();
        }

        md.AppendLine("CPU, % of one core (2 cores = 200%), over the baseline's publishing window and over each phase's publishing window plus its drain:").AppendLine();
        var sections = Phases.Select(p => (p.Name, p.CpuPercentOfOneCore)).ToList();
        if (Baseline is not null)
        {
            sections.Insert(0, ("baseline", Baseline.CpuPercentOfOneCore));
        }

        var processes = sections.SelectMany(s => s.CpuPercentOfOneCore.Keys).Distinct().ToList();
        md.AppendLine("| phase | " + string.Join(" | ", processes) + " |");
        md.AppendLine("|---|" + string.Concat(processes.Select(_ => "---|")));
        foreach (var (name, cpu) in sections)
        {
            md.AppendLine("| " + name + " | " + string.Join(" | ", processes.Select(p => cpu.GetValueOrDefault(p).ToString("0", c) + "%")) + " |");
        }

        md.AppendLine();
        md.AppendLine(c, $"Latency matching: {Latency.Matching}").AppendLine();
        md.AppendLine(c, $"End check: {EndCheck}");
        return md.ToString();
    }
}
