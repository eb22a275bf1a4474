using System.Text.Json.Nodes;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Schemas;

namespace StockSync.Contracts.Tests;

/// <summary>What the generated schemas say about the contracts.</summary>
public class ContractSchemasTests
{
    private static readonly JsonObject SaleRecorded = ContractSchemas.Generate(typeof(SaleRecorded));

    [Fact]
    public void A_schema_is_identified_by_the_message_urn_its_name_and_its_version()
    {
        Assert.Equal("urn:message:StockSync.Contracts.Inventory:SaleRecorded", (string?)SaleRecorded["$id"]);
        Assert.Equal("SaleRecorded", (string?)SaleRecorded["title"]);
        Assert.Equal(1, (int?)SaleRecorded["x-version"]);
    }

    [Fact]
    public void Required_members_are_required_and_optional_members_are_not()
    {
        var required = SaleRecorded["required"]!.AsArray().Select(n => (string?)n).ToList();

        Assert.Contains("sourceSystem", required);
        Assert.Contains("quantity", required);
        Assert.DoesNotContain("sourceSequence", required);
        Assert.DoesNotContain("transactionId", required);
    }

    [Fact]
    public void Nullable_members_allow_null_and_the_others_do_not()
    {
        Assert.True(JsonNode.DeepEquals(new JsonArray("integer", "null"), Property(SaleRecorded, "sourceSequence")["type"]));
        Assert.Equal("string", (string?)Property(SaleRecorded, "sku")["type"]);
    }

    [Fact]
    public void Enums_are_strings()
    {
        var bucket = Property(ContractSchemas.Generate(typeof(InventoryAdjusted)), "bucket");

        Assert.Equal(Enum.GetNames<InventoryBucket>(), bucket["enum"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void Descriptions_come_from_the_contracts_xml_documentation()
    {
        Assert.StartsWith("Units sold at a location", (string?)SaleRecorded["description"], StringComparison.Ordinal);
        Assert.Equal("The canonical SKU.", (string?)Property(SaleRecorded, "sku")["description"]);
    }

    [Fact]
    public void A_V_suffix_in_the_type_name_is_the_message_version()
    {
        Assert.Equal(new MessageVersion("SaleRecorded", 1), MessageVersion.Of(typeof(SaleRecorded)));
        Assert.Equal(new MessageVersion("SaleRecorded", 2), MessageVersion.Of(typeof(SaleRecordedV2)));
        Assert.Equal("SaleRecorded.v2.schema.json", MessageVersion.Of(typeof(SaleRecordedV2)).FileName);
        Assert.Equal("SaleRecordedV3", MessageVersion.Of(typeof(SaleRecordedV2)).Next.TypeName);
    }

    private static JsonObject Property(JsonObject schema, string name) => schema["properties"]![name]!.AsObject();

    private sealed record SaleRecordedV2;
}
