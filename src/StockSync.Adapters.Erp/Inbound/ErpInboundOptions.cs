using System.ComponentModel.DataAnnotations;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>
/// The ERP adapter's inbound side (<c>Erp:Inbound</c>): the item and site master, stock documents (PO receipts,
/// transfers) and stock snapshots, read by polling the ERP's REST API (when <see cref="Url"/> is set) and from CSV files
/// dropped in a folder, the legacy batch export (when <see cref="DropFolder"/> is set). Both are off by default.
/// </summary>
public sealed class ErpInboundOptions : IValidatableObject
{
    public const string Section = "Erp:Inbound";

    /// <summary>The ERP API's base URL (the feeds are <c>{Url}/items</c>, <c>/sites</c>, <c>/documents</c>, <c>/snapshot</c>); empty: no polling.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>How often the master data and the documents are polled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a stock snapshot is fetched by polling; null: only on request (<c>POST /erp/snapshots/fetch</c>).</summary>
    public TimeSpan? SnapshotInterval { get; set; }

    /// <summary>Documents asked for per call.</summary>
    [Range(1, 500)]
    public int PageSize { get; set; } = 200;

    /// <summary>How long one call to the ERP may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The folder the ERP's batch export drops CSV files into; empty: no folder. Read files move to <c>processed/</c>, refused ones to <c>failed/</c>.</summary>
    public string DropFolder { get; set; } = string.Empty;

    /// <summary>How often the drop folder is looked at.</summary>
    public TimeSpan DropFolderInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Snapshot lines per message (a snapshot of a million positions travels in parts).</summary>
    [Range(10, 50_000)]
    public int SnapshotPartSize { get; set; } = 2_000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url.Length > 0 && !Uri.TryCreate(Url, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"Erp:Inbound:Url '{Url}' is not an absolute URL.", [nameof(Url)]);
        }

        foreach (var (name, value) in new[] { (nameof(PollInterval), PollInterval), (nameof(RequestTimeout), RequestTimeout), (nameof(DropFolderInterval), DropFolderInterval), (nameof(SnapshotInterval), SnapshotInterval ?? TimeSpan.FromSeconds(1)) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"Erp:Inbound:{name} must be positive.", [name]);
            }
        }
    }
}
