using System.Globalization;
using System.Text.Json.Nodes;

namespace StockSync.Simulators.Erp;

/// <summary>The ERP's own side: item and site master, the documents feed and the stock book (see the class summary).</summary>
public sealed partial class ErpSimulator
{
    /// <summary>The order unit of single units.</summary>
    public const string Each = "EA";

    private readonly Dictionary<string, ErpItem> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ErpSite> _sites = new(StringComparer.Ordinal);
    private readonly List<ErpDocument> _documents = [];
    private readonly Dictionary<(string SiteCode, string ItemNumber), long> _stock = [];
    private long _version;
    private long _cursor;
    private long _snapshots;
    private long _exports;

    /// <summary>
    /// Adds or replaces items (all or none: the first invalid one refuses the whole call). A changed or new item gets
    /// the next version; an item sent again unchanged keeps its version.
    /// </summary>
    public (IReadOnlyList<ErpItem> Items, ErpInputError? Error) PutItems(ErpItemsInput? input)
    {
        if (input?.Items is not { } items)
        {
            return ([], new ErpInputError("items", "items is required: {\"items\": [{\"itemNumber\", \"sku\", …}]}."));
        }

        var valid = new List<ErpItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var (item, error) = Validate(items[i], $"items[{i}]");
            if (error is not null)
            {
                return ([], error);
            }

            if (!seen.Add(item!.ItemNumber))
            {
                return ([], new ErpInputError($"items[{i}].itemNumber", $"Item '{item.ItemNumber}' appears twice in the request."));
            }

            valid.Add(item);
        }

        lock (_gate)
        {
            var stored = new List<ErpItem>();
            foreach (var item in valid)
            {
                if (_items.TryGetValue(item.ItemNumber, out var current) && current with { Barcodes = item.Barcodes, Version = 0 } == item
                    && current.Barcodes.SequenceEqual(item.Barcodes, StringComparer.Ordinal))
                {
                    stored.Add(current);
                    continue;
                }

                var versioned = item with { Version = ++_version };
                _items[item.ItemNumber] = versioned;
                stored.Add(versioned);
            }

            return (stored, null);
        }
    }

    /// <summary>The items changed after <paramref name="after"/>, by version, and the highest version.</summary>
    public ErpItemsPage ItemsAfter(long after)
    {
        lock (_gate)
        {
            return new ErpItemsPage([.. _items.Values.Where(i => i.Version > after).OrderBy(i => i.Version)], _version);
        }
    }

    /// <summary>Adds or replaces sites (all or none), versioned like the items.</summary>
    public (IReadOnlyList<ErpSite> Sites, ErpInputError? Error) PutSites(ErpSitesInput? input)
    {
        if (input?.Sites is not { } sites)
        {
            return ([], new ErpInputError("sites", "sites is required: {\"sites\": [{\"siteCode\", \"locationId\", \"name\", \"kind\"}]}."));
        }

        var valid = new List<ErpSite>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sites.Count; i++)
        {
            var (site, error) = Validate(sites[i], $"sites[{i}]");
            if (error is not null)
            {
                return ([], error);
            }

            if (!seen.Add(site!.SiteCode))
            {
                return ([], new ErpInputError($"sites[{i}].siteCode", $"Site '{site.SiteCode}' appears twice in the request."));
            }

            valid.Add(site);
        }

        lock (_gate)
        {
            var stored = new List<ErpSite>();
            foreach (var site in valid)
            {
                if (_sites.TryGetValue(site.SiteCode, out var current) && current with { Version = 0 } == site)
                {
                    stored.Add(current);
                    continue;
                }

                var versioned = site with { Version = ++_version };
                _sites[site.SiteCode] = versioned;
                stored.Add(versioned);
            }

            return (stored, null);
        }
    }

    /// <summary>The sites changed after <paramref name="after"/>, by version, and the highest version.</summary>
    public ErpSitesPage SitesAfter(long after)
    {
        lock (_gate)
        {
            return new ErpSitesPage([.. _sites.Values.Where(s => s.Version > after).OrderBy(s => s.Version)], _version);
        }
    }

    /// <summary>
    /// Takes a document into the feed with the next cursor and books it. Unknown items and sites are accepted (the ERP
    /// is the master); a malformed document is refused, naming the field.
    /// </summary>
    public (ErpDocument? Document, ErpInputError? Error) AddDocument(ErpDocumentInput? input)
    {
        lock (_gate)
        {
            var error = Validate(input);
            if (error is not null)
            {
                return (null, error);
            }

            var document = new ErpDocument(
                ++_cursor,
                input!.DocumentType!,
                input.DocumentNumber!,
                input.OccurredAt!.Value,
                input.SiteCode!,
                string.IsNullOrWhiteSpace(input.OtherSiteCode) ? null : input.OtherSiteCode,
                [.. input.Lines!.Select(l => new ErpDocumentLine(l!.LineNumber!.Value, l.ItemNumber!, l.Quantity!.Value, l.Unit!))]);
            _documents.Add(document);
            var sign = document.DocumentType == ErpDocumentType.TransferShipment ? -1 : 1;
            foreach (var line in document.Lines)
            {
                var factor = _items.TryGetValue(line.ItemNumber, out var item) && line.Unit != Each && line.Unit == item.OrderUnit ? item.UnitsPerOrderUnit : 1;
                Move(document.SiteCode, line.ItemNumber, sign * (long)line.Quantity * factor);
            }

            return (document, null);
        }
    }

    /// <summary>
    /// A page of the documents feed as StockSync reads it: up to <paramref name="limit"/> documents after the cursor, by
    /// cursor, with <see cref="ErpFaults.DuplicateDocuments"/> and <see cref="ErpFaults.ShuffleDocuments"/> applied;
    /// <see cref="ErpDocumentsPage.Last"/> is the highest cursor of the page.
    /// </summary>
    public ErpDocumentsPage ReadDocuments(long after, int limit)
    {
        lock (_gate)
        {
            var page = _documents.Where(d => d.Cursor > after).Take(limit).ToList();
            var last = page.Count > 0 ? page[^1].Cursor : after;
            var served = _faults.DuplicateDocuments ? [.. page.SelectMany(d => new[] { d, d })] : page.ToArray();
            if (_faults.ShuffleDocuments)
            {
                (_faults.Seed is { } seed ? new Random(seed) : Random.Shared).Shuffle(served);
            }

            return new ErpDocumentsPage(served, last);
        }
    }

    /// <summary>Every document after the cursor, by cursor, without faults.</summary>
    public IReadOnlyList<ErpDocument> DocumentsAfter(long after)
    {
        lock (_gate)
        {
            return [.. _documents.Where(d => d.Cursor > after)];
        }
    }

    /// <summary>The stock book: every site and item booked so far (zeros included), by site then item.</summary>
    public IReadOnlyList<ErpStockLine> StockBook()
    {
        lock (_gate)
        {
            return [.. _stock
                .OrderBy(s => s.Key.SiteCode, StringComparer.Ordinal)
                .ThenBy(s => s.Key.ItemNumber, StringComparer.Ordinal)
                .Select(s => new ErpStockLine(s.Key.SiteCode, s.Key.ItemNumber, s.Value))];
        }
    }

    /// <summary>The stock book as a snapshot with a new id.</summary>
    public ErpSnapshot TakeSnapshot(DateTimeOffset now)
    {
        var lines = StockBook();
        var number = Interlocked.Increment(ref _snapshots);
        return new ErpSnapshot(string.Create(CultureInfo.InvariantCulture, $"SNAP-{now.UtcDateTime:yyyyMMddHHmmssfff}-{number}"), now, lines);
    }

    /// <summary>The number of the next CSV export (so two exports in one millisecond have different file names).</summary>
    public long NextExportNumber() => Interlocked.Increment(ref _exports);

    /// <summary>Forgets the items, sites, documents and the stock book (versions and cursors keep counting up).</summary>
    public void ClearData()
    {
        lock (_gate)
        {
            _items.Clear();
            _sites.Clear();
            _documents.Clear();
            _stock.Clear();
        }
    }

    /// <summary>
    /// Books a newly booked posting into the stock book (under the gate). Postings carry canonical ids, mapped back
    /// through the master (SKU to item number, location id to site code; kept as given when unknown). A sale or a
    /// shipment takes the units off, a return adds them, an adjustment adds its signed units when it is on hand (a
    /// damaged-bucket adjustment moves units inside on hand); other kinds change nothing.
    /// </summary>
    private void BookPosting(JsonObject posting)
    {
        var kind = Text(posting["kind"]);
        if (Text(posting["locationId"]) is not { } locationId || posting["lines"] is not JsonArray lines)
        {
            return;
        }

        var siteCode = _sites.Values.Where(s => s.LocationId == locationId).Select(s => s.SiteCode).Order(StringComparer.Ordinal).FirstOrDefault() ?? locationId;
        foreach (var line in lines.OfType<JsonObject>())
        {
            if (Text(line["sku"]) is not { } sku || Number(line["quantity"]) is not { } quantity)
            {
                continue;
            }

            var bucket = Text(line["bucket"]);
            var sign = kind switch
            {
                "Sale" or "Shipment" => -1,
                "Return" => 1,
                "Adjustment" when bucket is null or "OnHand" => 1,
                _ => 0,
            };
            if (sign != 0)
            {
                var itemNumber = _items.Values.Where(i => i.Sku == sku).Select(i => i.ItemNumber).Order(StringComparer.Ordinal).FirstOrDefault() ?? sku;
                Move(siteCode, itemNumber, sign * quantity);
            }
        }
    }

    private void Move(string siteCode, string itemNumber, long delta) =>
        _stock[(siteCode, itemNumber)] = _stock.GetValueOrDefault((siteCode, itemNumber)) + delta;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Number(JsonNode? node) =>
        node is not JsonValue value ? null
        : value.TryGetValue<long>(out var number) ? number
        : value.TryGetValue<int>(out var small) ? small
        : null;

    private static (ErpItem? Item, ErpInputError? Error) Validate(ErpItemInput? input, string at)
    {
        if (input is null)
        {
            return (null, new ErpInputError(at, $"{at} is null."));
        }

        if (string.IsNullOrWhiteSpace(input.ItemNumber))
        {
            return (null, new ErpInputError($"{at}.itemNumber", $"{at}.itemNumber is required."));
        }

        if (string.IsNullOrWhiteSpace(input.Sku))
        {
            return (null, new ErpInputError($"{at}.sku", $"{at}.sku is required (the item's canonical SKU)."));
        }

        if (input.OrderUnit is { } unit && string.IsNullOrWhiteSpace(unit))
        {
            return (null, new ErpInputError($"{at}.orderUnit", $"{at}.orderUnit must be EA or a pack unit such as CS."));
        }

        var orderUnit = input.OrderUnit ?? Each;
        var units = input.UnitsPerOrderUnit ?? 1;
        if (units < 1)
        {
            return (null, new ErpInputError($"{at}.unitsPerOrderUnit", $"{at}.unitsPerOrderUnit must be 1 or more."));
        }

        if (orderUnit == Each && units != 1)
        {
            return (null, new ErpInputError($"{at}.unitsPerOrderUnit", $"{at}.unitsPerOrderUnit must be 1 when the order unit is EA."));
        }

        var barcodes = input.Barcodes ?? [];
        for (var j = 0; j < barcodes.Count; j++)
        {
            if (string.IsNullOrWhiteSpace(barcodes[j]))
            {
                return (null, new ErpInputError($"{at}.barcodes[{j}]", $"{at}.barcodes[{j}] is empty."));
            }
        }

        return (new ErpItem(input.ItemNumber, input.Sku, input.Description, orderUnit, units, [.. barcodes!], 0), null);
    }

    private static (ErpSite? Site, ErpInputError? Error) Validate(ErpSiteInput? input, string at)
    {
        if (input is null)
        {
            return (null, new ErpInputError(at, $"{at} is null."));
        }

        if (string.IsNullOrWhiteSpace(input.SiteCode))
        {
            return (null, new ErpInputError($"{at}.siteCode", $"{at}.siteCode is required."));
        }

        if (string.IsNullOrWhiteSpace(input.LocationId))
        {
            return (null, new ErpInputError($"{at}.locationId", $"{at}.locationId is required (the site's canonical location id)."));
        }

        if (input.Kind is not (ErpSiteKind.Store or ErpSiteKind.DistributionCenter))
        {
            return (null, new ErpInputError($"{at}.kind", $"{at}.kind must be {ErpSiteKind.Store} or {ErpSiteKind.DistributionCenter}."));
        }

        return (new ErpSite(input.SiteCode, input.LocationId, input.Name, input.Kind, 0), null);
    }

    /// <summary>Checks a document (under the gate: the unit of a known item must be EA or its order unit).</summary>
    private ErpInputError? Validate(ErpDocumentInput? input)
    {
        if (input is null)
        {
            return new ErpInputError("document", "A document is required.");
        }

        if (string.IsNullOrWhiteSpace(input.DocumentType) || !ErpDocumentType.All.Contains(input.DocumentType, StringComparer.Ordinal))
        {
            return new ErpInputError("documentType", $"documentType must be one of {string.Join(", ", ErpDocumentType.All)}.");
        }

        if (string.IsNullOrWhiteSpace(input.DocumentNumber))
        {
            return new ErpInputError("documentNumber", "documentNumber is required.");
        }

        if (input.OccurredAt is null)
        {
            return new ErpInputError("occurredAt", "occurredAt is required.");
        }

        if (string.IsNullOrWhiteSpace(input.SiteCode))
        {
            return new ErpInputError("siteCode", "siteCode is required.");
        }

        if (input.DocumentType != ErpDocumentType.PurchaseReceipt && string.IsNullOrWhiteSpace(input.OtherSiteCode))
        {
            return new ErpInputError("otherSiteCode", $"otherSiteCode is required for a {input.DocumentType} (the destination of a shipment, the origin of a receipt).");
        }

        if (input.Lines is not { Count: > 0 } lines)
        {
            return new ErpInputError("lines", "lines must hold at least one line.");
        }

        var numbers = new HashSet<int>();
        for (var i = 0; i < lines.Count; i++)
        {
            var at = $"lines[{i}]";
            if (lines[i] is not { } line)
            {
                return new ErpInputError(at, $"{at} is null.");
            }

            if (line.LineNumber is not { } number || number < 1 || !numbers.Add(number))
            {
                return new ErpInputError($"{at}.lineNumber", $"{at}.lineNumber must be 1 or more and unique in the document.");
            }

            if (string.IsNullOrWhiteSpace(line.ItemNumber))
            {
                return new ErpInputError($"{at}.itemNumber", $"{at}.itemNumber is required.");
            }

            if (line.Quantity is not > 0)
            {
                return new ErpInputError($"{at}.quantity", $"{at}.quantity must be 1 or more.");
            }

            if (string.IsNullOrWhiteSpace(line.Unit))
            {
                return new ErpInputError($"{at}.unit", $"{at}.unit is required (EA or the item's order unit).");
            }

            if (line.Unit != Each && _items.TryGetValue(line.ItemNumber, out var item) && line.Unit != item.OrderUnit)
            {
                return new ErpInputError($"{at}.unit", $"{at}.unit must be EA or {item.OrderUnit}, the order unit of item {item.ItemNumber}.");
            }
        }

        return null;
    }
}
