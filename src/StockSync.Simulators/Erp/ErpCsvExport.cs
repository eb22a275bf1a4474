using System.Globalization;
using System.Text;

namespace StockSync.Simulators.Erp;

/// <summary>
/// The ERP's legacy batch export: one CSV file per kind (<c>items</c>, <c>sites</c>, <c>documents</c>,
/// <c>snapshot</c>), named <c>{kind}_{yyyyMMddHHmmssfff}_{n}.csv</c> (UTC time, <c>n</c> the simulator's export
/// counter), written atomically (<c>….csv.tmp</c>, then renamed). UTF-8 without BOM, a header row, comma separated,
/// CRLF line ends, RFC 4180 quoting of values with a comma, quote or line break, invariant culture, timestamps in the
/// round-trip format (<c>O</c>). Barcodes are joined with <c>|</c>; documents have one row per line.
/// </summary>
public static class ErpCsvExport
{
    /// <summary>The kinds of file, in their usual order.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["items", "sites", "documents", "snapshot"];

    /// <summary>The header row of each kind.</summary>
    public static IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["items"] = "item_number,sku,description,order_unit,units_per_order_unit,barcodes",
        ["sites"] = "site_code,location_id,name,kind",
        ["documents"] = "document_type,document_number,occurred_at,site_code,other_site_code,line_number,item_number,quantity,unit",
        ["snapshot"] = "snapshot_id,taken_at,site_code,item_number,on_hand",
    };

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Checks an export request: an absolute folder, known kinds, a cursor of 0 or more.</summary>
    public static ErpInputError? Validate(ErpExportRequest? request)
    {
        if (request is null)
        {
            return new ErpInputError("body", "Expected {\"folder\": \"/path\", \"kinds\": [\"items\", …], \"documentsAfter\": 0}.");
        }

        if (string.IsNullOrWhiteSpace(request.Folder) || !Path.IsPathFullyQualified(request.Folder))
        {
            return new ErpInputError("folder", "folder must be an absolute path.");
        }

        if (request.Kinds is not { Count: > 0 } kinds)
        {
            return new ErpInputError("kinds", $"kinds must name one or more of {string.Join(", ", Kinds)}.");
        }

        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i] is not { } kind || !Headers.ContainsKey(kind))
            {
                return new ErpInputError($"kinds[{i}]", $"kinds[{i}] must be one of {string.Join(", ", Kinds)}.");
            }
        }

        return request.DocumentsAfter is < 0 ? new ErpInputError("documentsAfter", "documentsAfter must be 0 or more.") : null;
    }

    /// <summary>Writes the requested files (each kind once) and returns their paths.</summary>
    public static async Task<ErpExportResult> WriteAsync(ErpSimulator simulator, ErpExportRequest request, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(request);
        var folder = request.Folder!;
        Directory.CreateDirectory(folder);
        var stamp = string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMddHHmmssfff}_{simulator.NextExportNumber()}");
        var files = new List<string>();
        foreach (var kind in request.Kinds!.Distinct(StringComparer.Ordinal))
        {
            var rows = kind switch
            {
                "items" => simulator.ItemsAfter(0).Items.Select(i => Row(i.ItemNumber, i.Sku, i.Description, i.OrderUnit, Invariant(i.UnitsPerOrderUnit), string.Join('|', i.Barcodes))),
                "sites" => simulator.SitesAfter(0).Sites.Select(s => Row(s.SiteCode, s.LocationId, s.Name, s.Kind)),
                "documents" => simulator.DocumentsAfter(request.DocumentsAfter ?? 0).SelectMany(d => d.Lines.Select(l => Row(
                    d.DocumentType, d.DocumentNumber, Timestamp(d.OccurredAt), d.SiteCode, d.OtherSiteCode, Invariant(l.LineNumber), l.ItemNumber, Invariant(l.Quantity), l.Unit))),
                _ => Snapshot(simulator.TakeSnapshot(now)),
            };
            var path = Path.Combine(folder, $"{kind}_{stamp}.csv");
            await WriteAtomicallyAsync(path, [Headers[kind!], .. rows], ct);
            files.Add(path);
        }

        return new ErpExportResult(files);
    }

    private static IEnumerable<string> Snapshot(ErpSnapshot snapshot) =>
        snapshot.Lines.Select(l => Row(snapshot.SnapshotId, Timestamp(snapshot.TakenAt), l.SiteCode, l.ItemNumber, Invariant(l.OnHand)));

    private static async Task WriteAtomicallyAsync(string path, IReadOnlyList<string> lines, CancellationToken ct)
    {
        var temporary = path + ".tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, string.Concat(lines.Select(l => l + "\r\n")), Utf8, ct);
            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary); // nothing to delete once renamed
        }
    }

    private static string Row(params string?[] values) => string.Join(',', values.Select(Quote));

    private static string Quote(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : value;

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);
}
