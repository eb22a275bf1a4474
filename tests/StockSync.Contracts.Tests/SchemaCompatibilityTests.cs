using System.Text.Json.Nodes;
using StockSync.Contracts.Schemas;

namespace StockSync.Contracts.Tests;

/// <summary>
/// <see cref="SchemaCompatibility"/> on a small synthetic schema: each test changes one thing in a copy of it and
/// compares the copy (the current schema) with the original (the published one).
/// </summary>
public class SchemaCompatibilityTests
{
    private const string Published = """
        {
          "type": "object",
          "properties": {
            "sku": { "type": "string" },
            "quantity": { "type": "integer" },
            "reasonCode": { "type": ["string", "null"] },
            "bucket": { "enum": ["OnHand", "Damaged"] },
            "channels": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": { "channelId": { "type": "string" }, "quantity": { "type": "integer" } },
                "required": ["channelId", "quantity"]
              }
            }
          },
          "required": ["sku", "quantity", "channels"]
        }
        """;

    [Fact]
    public void Removing_a_field_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema => Properties(schema).Remove("reasonCode")));

        Assert.Equal("$.reasonCode", change.Path);
        Assert.Contains("removed", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Retyping_a_field_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema => Properties(schema)["quantity"] = new JsonObject { ["type"] = "string" }));

        Assert.Equal("$.quantity", change.Path);
        Assert.Contains("type changed from integer to string", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_required_field_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema =>
        {
            Properties(schema)["transactionId"] = new JsonObject { ["type"] = "string" };
            schema["required"]!.AsArray().Add("transactionId");
        }));

        Assert.Equal("$.transactionId", change.Path);
        Assert.Contains("new required property", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Making_an_optional_field_required_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema => schema["required"]!.AsArray().Add("reasonCode")));

        Assert.Equal("$.reasonCode", change.Path);
        Assert.Contains("became required", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Making_a_nullable_field_non_nullable_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema => Properties(schema)["reasonCode"]!["type"] = "string"));

        Assert.Equal("$.reasonCode", change.Path);
        Assert.Contains("no longer allows null", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_an_enum_value_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema => Properties(schema)["bucket"]!["enum"] = new JsonArray("OnHand")));

        Assert.Equal("$.bucket", change.Path);
        Assert.Contains("\"Damaged\" removed", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_field_of_an_object_in_an_array_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema =>
        {
            var channel = Properties(schema)["channels"]!["items"]!.AsObject();
            Properties(channel).Remove("quantity");
            channel["required"] = new JsonArray("channelId");
        }));

        Assert.Equal("$.channels[*].quantity", change.Path);
        Assert.Contains("removed", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_field_behind_a_reference_is_a_breaking_change()
    {
        var change = Assert.Single(CompareWith(schema =>
        {
            var channel = Properties(schema)["channels"]!["items"]!.AsObject();
            Properties(channel).Remove("channelId");
            channel["required"] = new JsonArray("quantity");
            schema["$defs"] = new JsonObject { ["channel"] = channel.DeepClone() };
            Properties(schema)["channels"]!["items"] = new JsonObject { ["$ref"] = "#/$defs/channel" };
        }));

        Assert.Equal("$.channels[*].channelId", change.Path);
    }

    [Fact]
    public void Recursive_references_are_compared_without_looping()
    {
        var changes = CompareWith(schema => Properties(schema)["children"] = JsonNode.Parse("""{ "type": "array", "items": { "$ref": "#" } }"""));

        Assert.Empty(changes);
    }

    [Fact]
    public void A_new_optional_field_is_not_a_breaking_change() =>
        Assert.Empty(CompareWith(schema => Properties(schema)["transactionId"] = JsonNode.Parse("""{ "type": ["string", "null"] }""")));

    [Fact]
    public void A_field_becoming_optional_is_not_a_breaking_change() =>
        Assert.Empty(CompareWith(schema => schema["required"] = new JsonArray("sku", "channels")));

    [Fact]
    public void A_field_becoming_nullable_is_not_a_breaking_change() =>
        Assert.Empty(CompareWith(schema => Properties(schema)["sku"]!["type"] = new JsonArray("string", "null")));

    [Fact]
    public void A_new_enum_value_is_not_a_breaking_change() =>
        Assert.Empty(CompareWith(schema => Properties(schema)["bucket"]!["enum"]!.AsArray().Add("SafetyStock")));

    [Fact]
    public void New_descriptions_and_titles_are_not_breaking_changes() =>
        Assert.Empty(CompareWith(schema =>
        {
            schema["title"] = "SaleRecorded";
            Properties(schema)["sku"]!["description"] = "The canonical SKU.";
        }));

    private static IReadOnlyList<BreakingChange> CompareWith(Action<JsonObject> change)
    {
        var current = JsonNode.Parse(Published)!.AsObject();
        change(current);
        return SchemaCompatibility.Compare(JsonNode.Parse(Published)!, current);
    }

    private static JsonObject Properties(JsonObject schema) => schema["properties"]!.AsObject();
}
