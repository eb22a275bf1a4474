using System.Globalization;
using System.Text.Json;

namespace StockSync.Demo;

/// <summary>One scripted step of the day and how it went.</summary>
internal sealed record DemoStep(string Name, bool Ok, string Detail, double AtSeconds);

/// <summary>One SKU × location where the ERP's book and StockSync's on-hand differ.</summary>
internal sealed record DemoMismatch(string Sku, string LocationId, long ErpOnHand, long StockSyncOnHand, long Delta);

/// <summary>
/// What the store day did and measured: the events the host applied, the postings the ERP booked, the storefront
/// pushes and the sale-to-storefront latency, the ERP reconciliation, every step, and the run time. Printed at the end
/// and written as JSON. <see cref="Ok"/> (exit code 0) needs every step done, every posting booked and no mismatch.
/// </summary>
internal sealed class DemoReport
{
    private static readonly JsonSerializerOptions Indented = new(DemoHttp.Json) { WriteIndented = true };

    public DateTimeOffset StartedAt { get; set; }

    public double RunSeconds { get; set; }

    public string Transport { get; set; } = "";

    public string HostAddress { get; set; } = "";

    public string SimulatorsAddress { get; set; } = "";

    public string? HostLog { get; set; }

    public string? TempDirectory { get; set; }

    /// <summary>Till sales rung up (each uploaded by the POS simulator), and their units.</summary>
    public int Sales { get; set; }

    public int SaleUnits { get; set; }

    /// <summary>Ledger movements the host applied (rows of every SKU × location's ledger), and by movement type.</summary>
    public int LedgerMovements { get; set; }

    public SortedDictionary<string, int> LedgerMovementsByType { get; } = new(StringComparer.Ordinal);

    /// <summary>POS journal uploads the tills made, and those the host accepted (202).</summary>
    public int PosUploads { get; set; }

    public int PosUploadsAccepted { get; set; }

    /// <summary>Postings the host queued (its <c>erp_postings</c>), the ERP booked, and what was left pending or failed.</summary>
    public int PostingsQueued { get; set; }

    public int PostingsBooked { get; set; }

    public int PostingsPending { get; set; }

    public int PostingsFailed { get; set; }

    /// <summary>Calls to the ERP's posting API, and those answered 503 (the outage).</summary>
    public int ErpPostingCalls { get; set; }

    public int ErpPostingCallsUnavailable { get; set; }

    public int OutageSeconds { get; set; }

    /// <summary>Availability pushes the storefront took (200), and those it throttled (429).</summary>
    public int StorefrontPushes { get; set; }

    public int StorefrontThrottled { get; set; }

    public double StorefrontPushRate { get; set; }

    /// <summary>Sale (till) to storefront (push received) latency, over <see cref="LatencySamples"/> sales, in milliseconds.</summary>
    public int LatencySamples { get; set; }

    public int SalesWithoutPush { get; set; }

    public double? LatencyP50Ms { get; set; }

    public double? LatencyP99Ms { get; set; }

    public double? LatencyMaxMs { get; set; }

    /// <summary>The first part of it: from the till to the ledger row of the sale (its <c>appliedAt</c>), in milliseconds.</summary>
    public double? SaleToLedgerP50Ms { get; set; }

    public double? SaleToLedgerP99Ms { get; set; }

    /// <summary>The host's own change-to-push latency (<c>GET /ecommerce/storefront/status</c>), in seconds.</summary>
    public double? HostPushLatencyP50Seconds { get; set; }

    public double? HostPushLatencyP99Seconds { get; set; }

    /// <summary>The ERP reconciliation: the snapshot, the keys compared and the mismatches (expected 0).</summary>
    public string? SnapshotId { get; set; }

    public int KeysCompared { get; set; }

    public int? Mismatches { get; set; }

    public List<DemoMismatch> LargestMismatches { get; } = [];

    public List<DemoStep> Steps { get; } = [];

    public List<string> Failures { get; } = [];

    /// <summary>Every step done, every posting booked, and a reconciliation with no mismatch.</summary>
    public bool Ok => Failures.Count == 0 && Mismatches == 0 && PostingsPending == 0 && PostingsFailed == 0;

    /// <summary>The report for a person.</summary>
    public void Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine();
        output.WriteLine("=== StockSync store day ===");
        output.WriteLine(FormattableString.Invariant($"Run time                 {RunSeconds:0.0} s  (transport {Transport}, host {HostAddress}, simulators {SimulatorsAddress})"));
        output.WriteLine(FormattableString.Invariant($"Till sales               {Sales} ({SaleUnits} units); POS uploads {PosUploadsAccepted}/{PosUploads} accepted"));
        output.WriteLine(FormattableString.Invariant($"Ledger movements applied {LedgerMovements}  ({string.Join(", ", LedgerMovementsByType.Select(t => $"{t.Key} {t.Value}"))})"));
        output.WriteLine(FormattableString.Invariant($"ERP postings             {PostingsQueued} queued, {PostingsBooked} booked by the ERP, {PostingsPending} pending, {PostingsFailed} failed"));
        output.WriteLine(FormattableString.Invariant($"ERP outage               {OutageSeconds} s: {ErpPostingCallsUnavailable} of {ErpPostingCalls} posting calls answered 503, then drained"));
        output.WriteLine(FormattableString.Invariant($"Storefront pushes        {StorefrontPushes} taken, {StorefrontThrottled} throttled (429), at {StorefrontPushRate:0.#} calls/s"));
        output.WriteLine(FormattableString.Invariant($"Sale-to-storefront       p50 {Ms(LatencyP50Ms)}, p99 {Ms(LatencyP99Ms)}, max {Ms(LatencyMaxMs)} over {LatencySamples} sales ({SalesWithoutPush} without a push)"));
        output.WriteLine(FormattableString.Invariant($"  till to ledger applied p50 {Ms(SaleToLedgerP50Ms)}, p99 {Ms(SaleToLedgerP99Ms)}"));
        output.WriteLine(FormattableString.Invariant($"  host's own push figure p50 {Seconds(HostPushLatencyP50Seconds)}, p99 {Seconds(HostPushLatencyP99Seconds)} (change to push)"));
        output.WriteLine(FormattableString.Invariant($"Reconciliation           {(Mismatches is { } m ? m.ToString(CultureInfo.InvariantCulture) : "not done")} mismatches over {KeysCompared} SKU × location keys (snapshot {SnapshotId ?? "none"})"));
        foreach (var mismatch in LargestMismatches)
        {
            output.WriteLine(FormattableString.Invariant($"  {mismatch.Sku} @ {mismatch.LocationId}: ERP {mismatch.ErpOnHand}, StockSync {mismatch.StockSyncOnHand} (delta {mismatch.Delta})"));
        }

        output.WriteLine("Steps");
        foreach (var step in Steps)
        {
            output.WriteLine(FormattableString.Invariant($"  {(step.Ok ? "ok  " : "FAIL")} {step.Name,-22} {step.Detail}"));
        }

        foreach (var failure in Failures)
        {
            output.WriteLine(FormattableString.Invariant($"FAILED: {failure}"));
        }

        if (!Ok && HostLog is not null)
        {
            output.WriteLine(FormattableString.Invariant($"Host log: {HostLog}"));
        }

        output.WriteLine(Ok ? "Result: OK" : "Result: FAILED");
    }

    /// <summary>Writes the report as JSON.</summary>
    public async Task WriteJsonAsync(string path, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, Indented, ct);
    }

    private static string Ms(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0} ms") : "n/a";

    private static string Seconds(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.000} s") : "n/a";
}
