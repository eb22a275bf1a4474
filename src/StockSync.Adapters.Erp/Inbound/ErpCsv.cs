using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>A CSV file the adapter refuses; the message names the file's line and the problem.</summary>
public sealed class ErpCsvException : Exception
{
    public ErpCsvException()
    {
    }

    public ErpCsvException(string message)
        : base(message)
    {
    }

    public ErpCsvException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One of the ERP's batch export files, read.</summary>
public abstract record ErpCsvFile
{
    public sealed record Items(IReadOnlyList<ErpItem> Rows) : ErpCsvFile;

    public sealed record Sites(IReadOnlyList<ErpSite> Rows) : ErpCsvFile;

    public sealed record Documents(IReadOnlyList<ReadDocument> Rows) : ErpCsvFile;

    public sealed record Snapshot(string SnapshotId, DateTimeOffset TakenAt, IReadOnlyList<ErpSnapshotLine> Lines) : ErpCsvFile;
}

/// <summary>
/// The ERP's legacy batch export: UTF-8 CSV with a header row (RFC 4180 quoting), one file per kind, named
/// <c>{kind}_{…}.csv</c>: <c>items</c> (<c>item_number,sku,description,order_unit,units_per_order_unit,barcodes</c>,
/// barcodes separated by <c>|</c>), <c>sites</c> (<c>site_code,location_id,name,kind</c>), <c>documents</c> (one row
/// per line: <c>document_type,document_number,occurred_at,site_code,other_site_code,line_number,item_number,quantity,unit</c>)
/// and <c>snapshot</c> (<c>snapshot_id,taken_at,site_code,item_number,on_hand</c>). Columns are found by name.
/// </summary>
public static class ErpCsv
{
    /// <summary>The kinds in the order a folder is read: master data before the documents and snapshots that name it.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["items", "sites", "documents", "snapshot"];

    /// <summary>The kind of a file from its name, or null when it is not an export file.</summary>
    public static string? KindOf(string fileName) =>
        Kinds.FirstOrDefault(k => fileName.StartsWith(k + "_", StringComparison.OrdinalIgnoreCase) && fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads a file of <paramref name="kind"/>.</summary>
    public static ErpCsvFile Read(string kind, string fileName, TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = Parse(reader);
        if (rows.Count == 0)
        {
            throw new ErpCsvException($"{fileName} is empty: the header row is missing.");
        }

        var table = new Table(fileName, rows[0]);
        var data = rows.Skip(1).Select((cells, index) => (Line: index + 2, Cells: cells)).Where(r => r.Cells.Any(c => c.Length > 0)).ToList();
        return kind switch
        {
            "items" => new ErpCsvFile.Items([.. data.Select(r => new ErpItem
            {
                ItemNumber = table.Text(r, "item_number"),
                Sku = table.Text(r, "sku"),
                Description = table.Optional(r, "description"),
                OrderUnit = table.Optional(r, "order_unit") ?? "EA",
                UnitsPerOrderUnit = table.Optional(r, "units_per_order_unit") is null ? 1 : table.Int(r, "units_per_order_unit"),
                Barcodes = table.Optional(r, "barcodes")?.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            })]),
            "sites" => new ErpCsvFile.Sites([.. data.Select(r => new ErpSite
            {
                SiteCode = table.Text(r, "site_code"),
                LocationId = table.Text(r, "location_id"),
                Name = table.Optional(r, "name"),
                Kind = table.Text(r, "kind"),
            })]),
            "documents" => new ErpCsvFile.Documents(Documents(table, data)),
            "snapshot" => Snapshot(table, data),
            _ => throw new ErpCsvException($"{fileName}: '{kind}' is not a kind of export file ({string.Join(", ", Kinds)})."),
        };
    }

    private static List<ReadDocument> Documents(Table table, List<(int Line, string[] Cells)> data)
    {
        var documents = new List<(string Type, string Number, ErpDocument Document, List<ErpDocumentLine> Lines)>();
        foreach (var row in data)
        {
            var type = table.Text(row, "document_type");
            var number = table.Text(row, "document_number");
            var occurredAt = table.Instant(row, "occurred_at");
            var site = table.Text(row, "site_code");
            var other = table.Optional(row, "other_site_code");
            var index = documents.FindIndex(d => d.Type == type && d.Number == number);
            if (index < 0)
            {
                documents.Add((type, number, new ErpDocument { DocumentType = type, DocumentNumber = number, OccurredAt = occurredAt, SiteCode = site, OtherSiteCode = other }, []));
                index = documents.Count - 1;
            }
            else if (documents[index].Document.OccurredAt != occurredAt || documents[index].Document.SiteCode != site || documents[index].Document.OtherSiteCode != other)
            {
                throw new ErpCsvException($"{table.FileName} line {row.Line}: {type} {number} has another occurred_at, site_code or other_site_code than its first line.");
            }

            documents[index].Lines.Add(new ErpDocumentLine
            {
                LineNumber = table.Int(row, "line_number"),
                ItemNumber = table.Text(row, "item_number"),
                Quantity = table.Int(row, "quantity"),
                Unit = table.Optional(row, "unit") ?? "EA",
            });
        }

        return [.. documents.Select(d => new ReadDocument(d.Type, d.Number, JsonSerializer.Serialize(d.Document with { Lines = d.Lines }, ErpJson.Options)))];
    }

    private static ErpCsvFile.Snapshot Snapshot(Table table, List<(int Line, string[] Cells)> data)
    {
        if (data.Count == 0)
        {
            throw new ErpCsvException($"{table.FileName} has no lines: a snapshot file names its snapshot_id and taken_at on every line.");
        }

        var id = table.Text(data[0], "snapshot_id");
        var takenAt = table.Instant(data[0], "taken_at");
        var lines = new List<ErpSnapshotLine>();
        foreach (var row in data)
        {
            if (table.Text(row, "snapshot_id") != id || table.Instant(row, "taken_at") != takenAt)
            {
                throw new ErpCsvException($"{table.FileName} line {row.Line}: one file holds one snapshot ({id} taken at {takenAt:O}).");
            }

            lines.Add(new ErpSnapshotLine { SiteCode = table.Text(row, "site_code"), ItemNumber = table.Text(row, "item_number"), OnHand = table.Int(row, "on_hand") });
        }

        return new ErpCsvFile.Snapshot(id, takenAt, lines);
    }

    /// <summary>RFC 4180: fields separated by commas, quoted fields may hold commas, quotes (doubled) and line breaks.</summary>
    private static List<string[]> Parse(TextReader reader)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            any = true;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        field.Append('"');
                        reader.Read();
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                any = false;
            }
            else
            {
                field.Append(ch);
            }
        }

        if (quoted)
        {
            throw new ErpCsvException("The file ends inside a quoted field.");
        }

        if (any)
        {
            row.Add(field.ToString());
            rows.Add([.. row]);
        }

        return rows;
    }

    private sealed class Table(string fileName, string[] header)
    {
        private readonly Dictionary<string, int> _columns = header
            .Select((name, index) => (Name: name.Trim().TrimStart('\uFEFF'), index))
            .GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().index, StringComparer.OrdinalIgnoreCase);

        public string FileName => fileName;

        public string? Optional((int Line, string[] Cells) row, string column)
        {
            var index = _columns.TryGetValue(column, out var i) ? i : -1;
            return index >= 0 && index < row.Cells.Length && row.Cells[index].Trim() is { Length: > 0 } value ? value : null;
        }

        public string Text((int Line, string[] Cells) row, string column)
        {
            if (!_columns.ContainsKey(column))
            {
                throw new ErpCsvException($"{fileName} has no column '{column}' (its header: {string.Join(",", header)}).");
            }

            return Optional(row, column) ?? throw new ErpCsvException($"{fileName} line {row.Line}: {column} is empty.");
        }

        public int Int((int Line, string[] Cells) row, string column) =>
            int.TryParse(Text(row, column), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ErpCsvException($"{fileName} line {row.Line}: {column} '{Text(row, column)}' is not a whole number.");

        public DateTimeOffset Instant((int Line, string[] Cells) row, string column) =>
            DateTimeOffset.TryParse(Text(row, column), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                : throw new ErpCsvException($"{fileName} line {row.Line}: {column} '{Text(row, column)}' is not an ISO 8601 instant.");
    }
}
