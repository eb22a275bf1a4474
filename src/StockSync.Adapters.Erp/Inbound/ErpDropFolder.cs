using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>What became of one file of the drop folder.</summary>
/// <param name="File">The file's name.</param>
/// <param name="Kind">items, sites, documents or snapshot (null: not an export file).</param>
/// <param name="Records">Records taken (items, sites, documents or snapshot lines).</param>
/// <param name="Error">Why it was refused (null when taken).</param>
public sealed record ErpDropFileResult(string File, string? Kind, int Records, string? Error);

/// <summary>
/// Reads the ERP's batch export from <c>Erp:Inbound:DropFolder</c>: every <c>{kind}_….csv</c> file, master data first,
/// then in name order. A file is read whole and taken in one transaction (master data applied, documents and snapshot
/// parts handed on through the outbox); then it moves to <c>processed/</c>. A file the adapter refuses (a bad row,
/// a missing column) moves to <c>failed/</c> with a <c>.error.txt</c> beside it that names the line: nothing of it is
/// taken, and once fixed it is dropped in again. A crash between the commit and the move reads the file again, which
/// the stable message ids and the ledger's idempotency make harmless. Files still being written (<c>.tmp</c>) and
/// other names are left alone. One replica reads the folder at a time (lease <c>erp-drop-folder</c>).
/// </summary>
public sealed partial class ErpDropFolder(
    IServiceScopeFactory scopes, IOptionsMonitor<ErpInboundOptions> options, TimeProvider time, ILogger<ErpDropFolder> logger)
    : ErpInboundLoop(scopes, options, time)
{
    /// <inheritdoc />
    protected override string LeaseName => "erp-drop-folder";

    /// <summary>Reads every export file in the folder once.</summary>
    public async Task<IReadOnlyList<ErpDropFileResult>> ReadOnceAsync(CancellationToken ct)
    {
        var settings = Settings;
        var folder = settings.DropFolder;
        if (folder.Length == 0 || !Directory.Exists(folder))
        {
            return [];
        }

        var files = Directory.GetFiles(folder, "*.csv")
            .Select(path => (Path: path, Name: Path.GetFileName(path), Kind: ErpCsv.KindOf(Path.GetFileName(path))))
            .Where(f => f.Kind is not null)
            .OrderBy(f => ErpCsv.Kinds.ToList().IndexOf(f.Kind!))
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var results = new List<ErpDropFileResult>();
        foreach (var (path, name, kind) in files)
        {
            ErpDropFileResult result;
            try
            {
                var records = await TakeAsync(path, name, kind!, settings, ct).ConfigureAwait(false);
                result = new ErpDropFileResult(name, kind, records, null);
                Move(path, Path.Combine(folder, "processed"));
                LogTaken(logger, name, records);
            }
            catch (Exception ex) when (ex is ErpCsvException or ErpMasterDataException or MalformedErpDocumentException or IOException or DecoderFallbackException)
            {
                result = new ErpDropFileResult(name, kind, 0, ex.Message);
                var failed = Path.Combine(folder, "failed");
                Move(path, failed);
                await File.WriteAllTextAsync(Path.Combine(failed, name + ".error.txt"), $"{Time.GetUtcNow():O} {ex.Message}{Environment.NewLine}", ct).ConfigureAwait(false);
                LogRefused(logger, name, ex.Message);
            }

            results.Add(result);
        }

        return results;
    }

    /// <inheritdoc />
    protected override bool IsEnabled(ErpInboundOptions settings) => settings.DropFolder.Length > 0;

    /// <inheritdoc />
    protected override TimeSpan IntervalOf(ErpInboundOptions settings) => settings.DropFolderInterval;

    /// <inheritdoc />
    protected override Task RoundAsync(ErpInboundOptions settings, CancellationToken ct) => ReadOnceAsync(ct);

    /// <inheritdoc />
    protected override void OnRoundFailed(ErpInboundOptions settings, Exception failure) => LogRoundFailed(logger, settings.DropFolder, failure.Message);

    private async Task<int> TakeAsync(string path, string name, string kind, ErpInboundOptions settings, CancellationToken ct)
    {
        ErpCsvFile file;
        using (var reader = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)))
        {
            file = ErpCsv.Read(kind, name, reader);
        }

        await using var scope = Scopes.CreateAsyncScope();
        var intake = scope.ServiceProvider.GetRequiredService<ErpFeedIntake>();
        var noCursors = new Dictionary<string, string>();
        switch (file)
        {
            case ErpCsvFile.Items items:
                await intake.ApplyMasterAsync(items.Rows, [], noCursors, ct).ConfigureAwait(false);
                return items.Rows.Count;
            case ErpCsvFile.Sites sites:
                await intake.ApplyMasterAsync([], sites.Rows, noCursors, ct).ConfigureAwait(false);
                return sites.Rows.Count;
            case ErpCsvFile.Documents documents:
                await intake.HandOnDocumentsAsync(documents.Rows, $"csv:{name}", noCursors, ct).ConfigureAwait(false);
                return documents.Rows.Count;
            case ErpCsvFile.Snapshot snapshot:
                await intake.HandOnSnapshotAsync(snapshot.SnapshotId, snapshot.TakenAt, snapshot.Lines, $"csv:{name}", settings.SnapshotPartSize, ct).ConfigureAwait(false);
                return snapshot.Lines.Count;
            default:
                throw new ErpCsvException($"{name}: nothing reads a file of kind {kind}.");
        }
    }

    private static void Move(string path, string folder)
    {
        Directory.CreateDirectory(folder);
        File.Move(path, Path.Combine(folder, Path.GetFileName(path)), overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ERP export file {File} taken: {Records} records")]
    private static partial void LogTaken(ILogger logger, string file, int records);

    [LoggerMessage(Level = LogLevel.Error, Message = "ERP export file {File} refused and moved to failed/: {Error}")]
    private static partial void LogRefused(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the ERP drop folder {Folder} failed; the files stay for the next round: {Error}")]
    private static partial void LogRoundFailed(ILogger logger, string folder, string error);
}
