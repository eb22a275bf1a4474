using System.Text.Json;
using StockSync.Adapters.Erp.Inbound;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>The ERP's CSV batch export as the drop folder reads it: columns by name, RFC 4180 quoting, errors by line.</summary>
public sealed class ErpCsvTests
{
    private const string DocumentsHeader = "document_type,document_number,occurred_at,site_code,other_site_code,line_number,item_number,quantity,unit\r\n";

    [Theory]
    [InlineData("items_20261123.csv", "items")]
    [InlineData("SNAPSHOT_1.csv", "snapshot")]
    [InlineData("documents_x_1.CSV", "documents")]
    [InlineData("documents_1.csv.tmp", null)]
    [InlineData("prices_1.csv", null)]
    [InlineData("items.csv", null)]
    public void A_file_name_gives_its_kind(string name, string? kind) => Assert.Equal(kind, ErpCsv.KindOf(name));

    [Fact]
    public void Items_are_read_by_column_name_with_quoting_and_barcodes()
    {
        var file = Read("items", "sku,item_number,description,order_unit,units_per_order_unit,barcodes\r\n"
            + "SKU-MUG,100234,\"Mug, large \"\"blue\"\"\",CS,12,4006381333931|4006381333948\r\n"
            + "SKU-TEA,200,\"Tea\nwith a line break\",,,\r\n");

        var items = Assert.IsType<ErpCsvFile.Items>(file).Rows;
        Assert.Equal(2, items.Count);
        Assert.Equal(("100234", "SKU-MUG", "Mug, large \"blue\"", "CS", 12), (items[0].ItemNumber, items[0].Sku, items[0].Description, items[0].OrderUnit, items[0].UnitsPerOrderUnit));
        Assert.Equal(["4006381333931", "4006381333948"], items[0].Barcodes!);
        Assert.Equal(("Tea\nwith a line break", "EA", 1), (items[1].Description, items[1].OrderUnit, items[1].UnitsPerOrderUnit));
        Assert.Empty(items[1].Barcodes!);
    }

    [Fact]
    public void Document_rows_are_grouped_into_documents_in_the_shape_the_REST_feed_has()
    {
        var file = Read("documents", DocumentsHeader
            + "PurchaseReceipt,PO-1,2026-11-23T08:00:00Z,S01,,1,100234,2,CS\r\n"
            + "TransferShipment,TR-7,2026-11-23T09:00:00+01:00,S01,S02,1,200,6,EA\r\n"
            + "PurchaseReceipt,PO-1,2026-11-23T08:00:00Z,S01,,2,200,5,EA\r\n");

        var documents = Assert.IsType<ErpCsvFile.Documents>(file).Rows;
        Assert.Equal([("PurchaseReceipt", "PO-1"), ("TransferShipment", "TR-7")], documents.Select(d => (d.DocumentType!, d.DocumentNumber!)));
        var receipt = JsonSerializer.Deserialize<ErpDocument>(documents[0].RawJson, ErpJson.Options)!;
        Assert.Equal([(1, "100234", 2, "CS"), (2, "200", 5, "EA")], receipt.Lines!.Select(l => (l.LineNumber, l.ItemNumber!, l.Quantity, l.Unit!)));
        var transfer = JsonSerializer.Deserialize<ErpDocument>(documents[1].RawJson, ErpJson.Options)!;
        Assert.Equal(("S01", "S02", new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero)), (transfer.SiteCode!, transfer.OtherSiteCode!, transfer.OccurredAt.ToUniversalTime()));
    }

    [Theory]
    [InlineData("PurchaseReceipt,PO-1,2026-11-23T08:00:00Z,S01,,1,100234,four,EA", "line 2: quantity 'four' is not a whole number")]
    [InlineData("PurchaseReceipt,PO-1,yesterday,S01,,1,100234,4,EA", "line 2: occurred_at 'yesterday' is not an ISO 8601 instant")]
    [InlineData("PurchaseReceipt,,2026-11-23T08:00:00Z,S01,,1,100234,4,EA", "line 2: document_number is empty")]
    [InlineData("PurchaseReceipt,PO-1,2026-11-23T08:00:00Z,S01,,1,100234,4,EA\r\nPurchaseReceipt,PO-1,2026-11-23T08:00:00Z,S09,,2,200,4,EA", "line 3: PurchaseReceipt PO-1 has another occurred_at, site_code or other_site_code")]
    [InlineData("PurchaseReceipt,\"PO-1,2026-11-23T08:00:00Z,S01,,1,100234,4,EA", "ends inside a quoted field")]
    public void A_bad_row_refuses_the_file_and_names_the_line(string rows, string expected)
    {
        var error = Assert.Throws<ErpCsvException>(() => Read("documents", DocumentsHeader + rows + "\r\n"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_column_is_named_with_the_header_found()
    {
        var error = Assert.Throws<ErpCsvException>(() => Read("sites", "site_code,name,kind\r\nS01,Main street,Store\r\n"));
        Assert.Contains("has no column 'location_id' (its header: site_code,name,kind)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_file_holds_one_snapshot()
    {
        const string Header = "snapshot_id,taken_at,site_code,item_number,on_hand\n";
        var snapshot = Assert.IsType<ErpCsvFile.Snapshot>(Read("snapshot", Header + "SNAP-1,2026-11-23T20:00:00Z,S01,100234,24\nSNAP-1,2026-11-23T20:00:00Z,S02,100234,0\n"));
        Assert.Equal(("SNAP-1", 2), (snapshot.SnapshotId, snapshot.Lines.Count));
        Assert.Equal([24, 0], snapshot.Lines.Select(l => l.OnHand));

        var mixed = Assert.Throws<ErpCsvException>(() => Read("snapshot", Header + "SNAP-1,2026-11-23T20:00:00Z,S01,100234,24\nSNAP-2,2026-11-23T20:00:00Z,S02,100234,0\n"));
        Assert.Contains("line 3: one file holds one snapshot", mixed.Message, StringComparison.Ordinal);
    }

    private static ErpCsvFile Read(string kind, string text)
    {
        using var reader = new StringReader(text);
        return ErpCsv.Read(kind, $"{kind}_test.csv", reader);
    }
}
