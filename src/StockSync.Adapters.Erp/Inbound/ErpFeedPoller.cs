using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockSync.Persistence;
using StockSync.Persistence.Reconciliation;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>What one poll of the ERP read.</summary>
public sealed record ErpPollResult(int Items, int Sites, int Documents, string? DocumentsCursor);

/// <summary>
/// Polls the ERP's REST feeds (<c>Erp:Inbound:Url</c>): first the item and site master changed since the stored
/// version (applied at once, so the documents that follow find their mappings), then the documents after the stored
/// cursor, page by page, reading the master again after each page and before handing the page on through the outbox
/// with the new cursor in the same transaction (a document booked just after its new item was created finds it), and a stock
/// snapshot every <c>SnapshotInterval</c> or on request. A page that repeats or shuffles documents is put in cursor
/// order and each document handed on once. One replica polls at a time (lease <c>erp-inbound</c>). A failed poll
/// (ERP down, throttled, a refused master record) is logged and keeps its cursor; the next interval tries again.
/// </summary>
public sealed partial class ErpFeedPoller(
    IServiceScopeFactory scopes, IHttpClientFactory clients, IOptionsMonitor<ErpInboundOptions> options, TimeProvider time, ILogger<ErpFeedPoller> logger)
    : ErpInboundLoop(scopes, options, time)
{
    /// <summary>The HttpClient the feeds are read with.</summary>
    public const string HttpClientName = "erp-inbound";

    /// <inheritdoc />
    protected override string LeaseName => "erp-inbound";
    private DateTimeOffset _nextSnapshot = DateTimeOffset.MinValue;

    /// <summary>Reads the master data and every new document once.</summary>
    public async Task<ErpPollResult> PollOnceAsync(CancellationToken ct)
    {
        var settings = Settings;
        var (items, sites) = await RefreshMasterAsync(settings, ct).ConfigureAwait(false);
        var documents = 0;
        string cursor;
        await using (var scope = Scopes.CreateAsyncScope())
        {
            cursor = await FeedCursors.GetAsync(scope.ServiceProvider.GetRequiredService<StockSyncDbContext>(), ErpFeedIntake.DocumentsFeed, ct).ConfigureAwait(false) ?? "0";
        }

        while (true)
        {
            var page = await GetAsync(settings, $"documents?after={Uri.EscapeDataString(cursor)}&limit={settings.PageSize}", ct).ConfigureAwait(false);
            var read = (page["documents"] as JsonArray ?? [])
                .OfType<JsonObject>()
                .Select(d => (Cursor: d["cursor"]?.GetValue<long>() ?? throw new JsonException("A document has no cursor."), Json: d))
                .DistinctBy(d => d.Cursor)
                .OrderBy(d => d.Cursor)
                .ToList();
            if (read.Count == 0)
            {
                break;
            }

            // The master is read again after the page: an item or site the ERP created just before booking a document
            // of this page is in place before the document is handed on.
            var (moreItems, moreSites) = await RefreshMasterAsync(settings, ct).ConfigureAwait(false);
            items += moreItems;
            sites += moreSites;
            var last = read[^1].Cursor.ToString(CultureInfo.InvariantCulture);
            await using var pageScope = Scopes.CreateAsyncScope();
            await pageScope.ServiceProvider.GetRequiredService<ErpFeedIntake>().HandOnDocumentsAsync(
                [.. read.Select(d => new ReadDocument(Text(d.Json, "documentType"), Text(d.Json, "documentNumber"), d.Json.ToJsonString(ErpJson.Options)))],
                "rest",
                new Dictionary<string, string> { [ErpFeedIntake.DocumentsFeed] = last },
                ct).ConfigureAwait(false);
            documents += read.Count;
            cursor = last;
            if (read.Count < settings.PageSize)
            {
                break;
            }
        }

        LogPolled(logger, items, sites, documents, cursor);
        return new ErpPollResult(items, sites, documents, cursor);
    }

    /// <summary>Reads and applies the items and sites changed since the stored versions; returns how many.</summary>
    private async Task<(int Items, int Sites)> RefreshMasterAsync(ErpInboundOptions settings, CancellationToken ct)
    {
        await using var scope = Scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StockSyncDbContext>();
        var itemsAfter = await FeedCursors.GetAsync(db, ErpFeedIntake.ItemsFeed, ct).ConfigureAwait(false) ?? "0";
        var sitesAfter = await FeedCursors.GetAsync(db, ErpFeedIntake.SitesFeed, ct).ConfigureAwait(false) ?? "0";
        var items = await GetAsync(settings, $"items?after={Uri.EscapeDataString(itemsAfter)}", ct).ConfigureAwait(false);
        var sites = await GetAsync(settings, $"sites?after={Uri.EscapeDataString(sitesAfter)}", ct).ConfigureAwait(false);
        var itemList = Deserialize<List<ErpItem>>(items["items"], "items") ?? [];
        var siteList = Deserialize<List<ErpSite>>(sites["sites"], "sites") ?? [];
        if (itemList.Count > 0 || siteList.Count > 0)
        {
            await scope.ServiceProvider.GetRequiredService<ErpFeedIntake>().ApplyMasterAsync(
                itemList,
                siteList,
                new Dictionary<string, string> { [ErpFeedIntake.ItemsFeed] = VersionOf(items, itemsAfter), [ErpFeedIntake.SitesFeed] = VersionOf(sites, sitesAfter) },
                ct).ConfigureAwait(false);
        }

        return (itemList.Count, siteList.Count);
    }

    /// <summary>Reads the ERP's current stock snapshot and hands it on in parts; returns its id and the number of parts.</summary>
    public async Task<(string SnapshotId, DateTimeOffset TakenAt, int Lines, int Parts)> FetchSnapshotAsync(CancellationToken ct)
    {
        var settings = Settings;
        var snapshot = await GetAsync(settings, "snapshot", ct).ConfigureAwait(false);
        var id = snapshot["snapshotId"]?.GetValue<string>() is { Length: > 0 } s ? s : throw new JsonException("The snapshot has no snapshotId.");
        var takenAt = snapshot["takenAt"]?.GetValue<DateTimeOffset>() ?? throw new JsonException($"Snapshot {id} has no takenAt.");
        var lines = Deserialize<List<ErpSnapshotLine>>(snapshot["lines"], "snapshot lines") ?? [];
        await using var scope = Scopes.CreateAsyncScope();
        var parts = await scope.ServiceProvider.GetRequiredService<ErpFeedIntake>()
            .HandOnSnapshotAsync(id, takenAt, lines, "rest", settings.SnapshotPartSize, ct).ConfigureAwait(false);
        return (id, takenAt, lines.Count, parts);
    }

    /// <inheritdoc />
    protected override bool IsEnabled(ErpInboundOptions settings) => settings.Url.Length > 0;

    /// <inheritdoc />
    protected override TimeSpan IntervalOf(ErpInboundOptions settings) => settings.PollInterval;

    /// <inheritdoc />
    protected override async Task RoundAsync(ErpInboundOptions settings, CancellationToken ct)
    {
        await PollOnceAsync(ct).ConfigureAwait(false);
        if (settings.SnapshotInterval is { } every && Time.GetUtcNow() >= _nextSnapshot)
        {
            await FetchSnapshotAsync(ct).ConfigureAwait(false);
            _nextSnapshot = Time.GetUtcNow() + every;
        }
    }

    /// <inheritdoc />
    protected override void OnRoundFailed(ErpInboundOptions settings, Exception failure) => LogPollFailed(logger, failure.Message);

    private async Task<JsonObject> GetAsync(ErpInboundOptions settings, string path, CancellationToken ct)
    {
        var url = new Uri($"{settings.Url.TrimEnd('/')}/{path}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.RequestTimeout);
        using var response = await clients.CreateClient(HttpClientName).GetAsync(url, timeout.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } wait)
        {
            throw new HttpRequestException($"The ERP throttled GET {url.AbsolutePath} (429, Retry-After {wait.TotalSeconds:0} s).");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The ERP answered {(int)response.StatusCode} to GET {url.AbsolutePath}.");
        }

        return await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), cancellationToken: timeout.Token).ConfigureAwait(false) as JsonObject
            ?? throw new JsonException($"GET {url.AbsolutePath}: the ERP's answer is not a JSON object.");
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string VersionOf(JsonObject answer, string fallback) =>
        answer["version"] is JsonValue v ? v.ToJsonString() : fallback;

    private static T? Deserialize<T>(JsonNode? node, string what)
    {
        try
        {
            return node is null ? default : node.Deserialize<T>(ErpJson.Options);
        }
        catch (JsonException ex)
        {
            throw new JsonException($"The ERP's {what} could not be read: {ex.Message}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Polled the ERP: {Items} items, {Sites} sites, {Documents} documents (cursor {Cursor})")]
    private static partial void LogPolled(ILogger logger, int items, int sites, int documents, string cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling the ERP failed; the cursors stay and the next interval tries again: {Error}")]
    private static partial void LogPollFailed(ILogger logger, string error);
}
