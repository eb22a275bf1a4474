using System.Text;

namespace StockSync.Cli.Presentation;

/// <summary>
/// A plain-text table with aligned columns: a header row in capitals, then one line per row, columns separated by
/// two spaces; numeric columns are right-aligned. An empty table prints its header and "(none)".
/// </summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <summary>A table with these column headers; a header starting with '>' is right-aligned (the '>' is not shown).</summary>
    public TextTable(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _rightAligned = [.. headers.Select(h => h.StartsWith('>'))];
        _headers = [.. headers.Select(h => h.TrimStart('>'))];
    }

    /// <summary>The number of rows added.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row; missing cells are blank, nulls are shown as "-".</summary>
    public TextTable Add(params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length > _headers.Length)
        {
            throw new ArgumentException($"The row has {cells.Length} cells; the table has {_headers.Length} columns.", nameof(cells));
        }

        _rows.Add([.. Enumerable.Range(0, _headers.Length).Select(i => i < cells.Length ? Clean(cells[i]) : string.Empty)]);
        return this;
    }

    /// <summary>The table as text, each line ending in a newline.</summary>
    public override string ToString()
    {
        var widths = Enumerable.Range(0, _headers.Length)
            .Select(i => _rows.Select(r => r[i].Length).Append(_headers[i].Length).Max())
            .ToArray();
        var text = new StringBuilder();
        Line(text, _headers, widths);
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }

        if (_rows.Count == 0)
        {
            text.Append("(none)").Append('\n');
        }

        return text.ToString();
    }

    private void Line(StringBuilder text, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append("  ");
            }

            line.Append(_rightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string Clean(string? cell) =>
        cell is null ? "-" : cell.ReplaceLineEndings(" ").Replace('\t', ' ');
}
