using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Contracts.Tests;

/// <summary>
/// A small structural check of a JSON value against a schema, enough to pin the wire format without a validation
/// package: the JSON type (<c>type</c>), <c>enum</c> membership, every <c>required</c> property present, no property
/// the schema does not list, recursively through <c>properties</c> and <c>items</c>, following local <c>$ref</c>
/// pointers (<c>#/…</c>, which the exporter writes when one type appears twice in a message).
/// </summary>
internal static class SchemaShape
{
    /// <summary>Lists where a value does not fit a schema; empty when it fits.</summary>
    public static IReadOnlyList<string> Problems(JsonNode? value, JsonObject schema)
    {
        var problems = new List<string>();
        Check(value, schema, schema, "$", problems);
        return problems;
    }

    private static void Check(JsonNode? value, JsonObject schema, JsonObject root, string path, List<string> problems)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            schema = Resolve(root, (string)reference!);
        }

        var kind = KindOf(value);
        if (Types(schema) is { } types && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            problems.Add($"{path}: is {kind}; the schema allows {string.Join(" | ", types)}");
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
        {
            problems.Add($"{path}: {value?.ToJsonString() ?? "null"} is not one of {values.ToJsonString()}");
        }

        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject ?? [];
                var required = schema["required"] as JsonArray ?? [];
                problems.AddRange(required.Select(n => (string)n!).Where(name => !obj.ContainsKey(name)).Select(name => $"{path}.{name}: required but missing"));
                foreach (var (name, child) in obj)
                {
                    if (properties[name] is JsonObject propertySchema)
                    {
                        Check(child, propertySchema, root, $"{path}.{name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}.{name}: not in the schema");
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], items, root, $"{path}[{i}]", problems);
                }

                break;
        }
    }

    /// <summary>Follows a local JSON pointer (<c>#/properties/released/items</c>) from the schema's root.</summary>
    private static JsonObject Resolve(JsonObject root, string pointer)
    {
        if (!pointer.StartsWith('#'))
        {
            throw new NotSupportedException($"Only local $ref pointers are expected in published schemas, not '{pointer}'.");
        }

        JsonNode? node = root;
        foreach (var token in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node?[token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node as JsonObject ?? throw new InvalidOperationException($"The $ref '{pointer}' points at nothing.");
    }

    private static string[]? Types(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => [.. types.Select(t => (string)t!)],
        JsonValue type => [(string)type!],
        _ => null,
    };

    private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.AsValue().TryGetValue<long>(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        _ => "object",
    };
}
