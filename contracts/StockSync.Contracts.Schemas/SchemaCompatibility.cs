using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.Contracts.Schemas;

/// <summary>A difference between a published schema and the current one that breaks producers or consumers.</summary>
/// <param name="Path">Where the change is, as a JSON path: <c>$</c> is the message, <c>$.channels[*].quantity</c> a nested property.</param>
/// <param name="Reason">What changed and whom it breaks.</param>
public sealed record BreakingChange(string Path, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// Decides whether a message's current schema can replace its published one.
/// <para>
/// The rule: a change is breaking when a message the published schema accepts is refused by the current one (old
/// producers, in-flight and stored messages), or when a property consumers may read disappears. So these are breaking:
/// a property removed; a type changed or narrowed (including an enum value removed and <c>null</c> no longer allowed);
/// a property newly required; a format or pattern added or changed. These are compatible: a new optional property,
/// a property becoming optional, a type widened (<c>null</c> newly allowed, <c>integer</c> to <c>number</c>), a new enum value.
/// </para>
/// <para>
/// A new enum value is compatible by the same rule (every published message is still valid), but a consumer that maps
/// the enum strictly will refuse a message that carries it. Contract consumers must therefore treat an unknown value as
/// "not for me" (or dead-letter it), and a new value that changes the meaning of the existing ones needs a new message version.
/// </para>
/// <para>
/// The comparison understands the keywords <see cref="System.Text.Json.Schema.JsonSchemaExporter"/> emits for the
/// contracts: <c>type</c>, <c>enum</c>, <c>format</c>, <c>pattern</c>, <c>properties</c>, <c>required</c>, <c>items</c>
/// and local <c>$ref</c>s; nested objects and arrays are compared recursively. Annotations (<c>title</c>,
/// <c>description</c>, <c>x-version</c>) never break anything.
/// </para>
/// </summary>
public static class SchemaCompatibility
{
    private static readonly string[] Constraints = ["format", "pattern"];

    /// <summary>Lists the breaking changes from a published schema to the current one.</summary>
    /// <param name="published">The schema consumers and producers rely on (the checked-in file).</param>
    /// <param name="current">The schema generated from the contract as it is now.</param>
    /// <returns>The breaking changes in document order; empty when the current schema is compatible.</returns>
    public static IReadOnlyList<BreakingChange> Compare(JsonNode published, JsonNode current)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(current);
        var comparison = new Comparison(published, current);
        comparison.Compare(published, current, "$");
        return comparison.Changes;
    }

    private sealed class Comparison(JsonNode publishedRoot, JsonNode currentRoot)
    {
        // Pairs already compared: recursive $refs would otherwise be followed forever.
        private readonly HashSet<(JsonObject, JsonObject)> _compared = [];

        public List<BreakingChange> Changes { get; } = [];

        public void Compare(JsonNode? publishedNode, JsonNode? currentNode, string path)
        {
            var published = Resolve(publishedNode, publishedRoot);
            var current = Resolve(currentNode, currentRoot);
            if (!_compared.Add((published, current)))
            {
                return;
            }

            CompareKinds(published, current, path);
            CompareEnums(published, current, path);
            CompareConstraints(published, current, path);
            CompareProperties(published, current, path);
            if (published["items"] is not null || current["items"] is not null)
            {
                Compare(published["items"], current["items"], $"{path}[*]");
            }
        }

        private void CompareKinds(JsonObject published, JsonObject current, string path)
        {
            var before = Kinds(published);
            var after = Kinds(current);
            if (after is null)
            {
                return;
            }

            if (before is null)
            {
                Report(path, $"was unconstrained and now must be {Describe(after)}; messages with other values would be refused");
                return;
            }

            var lost = before.Where(kind => !Accepts(after, kind)).ToList();
            if (lost.Remove("null"))
            {
                Report(path, "no longer allows null (nullability tightened); producers that send null would be refused");
            }

            if (lost.Count > 0)
            {
                Report(path, $"type changed from {Describe(before)} to {Describe(after)}");
            }
        }

        private void CompareEnums(JsonObject published, JsonObject current, string path)
        {
            if (current["enum"] is not JsonArray after)
            {
                return;
            }

            if (published["enum"] is not JsonArray before)
            {
                Report(path, $"is now restricted to the values {Describe(after)}");
                return;
            }

            // null is a nullability question, reported by CompareKinds; an added value is compatible (see the class remarks).
            var removed = before.Where(value => value is not null && !after.Any(v => JsonNode.DeepEquals(v, value))).ToList();
            if (removed.Count > 0)
            {
                Report(path, $"enum value {Describe(removed)} removed; messages carrying it would be refused");
            }
        }

        private void CompareConstraints(JsonObject published, JsonObject current, string path)
        {
            foreach (var keyword in Constraints)
            {
                if (current[keyword] is { } after && !JsonNode.DeepEquals(published[keyword], after))
                {
                    var before = published[keyword] is { } value ? value.ToJsonString() : "none";
                    Report(path, $"'{keyword}' changed from {before} to {after.ToJsonString()}");
                }
            }
        }

        private void CompareProperties(JsonObject published, JsonObject current, string path)
        {
            var before = published["properties"] as JsonObject;
            var after = current["properties"] as JsonObject;
            // When the value is no longer an object at all, CompareKinds has said so: listing every property as removed is noise.
            if (before is not null && (Kinds(current) is not { } kinds || kinds.Contains("object")))
            {
                foreach (var (name, schema) in before)
                {
                    if (after?[name] is { } currentSchema)
                    {
                        Compare(schema, currentSchema, $"{path}.{name}");
                    }
                    else
                    {
                        Report($"{path}.{name}", "property removed; consumers that read it would break");
                    }
                }
            }

            var required = Names(published["required"]);
            foreach (var name in Names(current["required"]).Where(name => !required.Contains(name)))
            {
                Report(
                    $"{path}.{name}",
                    before?.ContainsKey(name) == true
                        ? "became required; producers that omit it would be refused"
                        : "new required property; every existing message lacks it and would be refused");
            }
        }

        private void Report(string path, string reason) => Changes.Add(new BreakingChange(path, reason));
    }

    // Follows local $refs ("#", "#/properties/x/items") to the schema object; a boolean or missing schema is unconstrained.
    private static JsonObject Resolve(JsonNode? node, JsonNode root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (node is JsonObject { } schema && schema["$ref"]?.GetValue<string>() is { } reference)
        {
            if (!reference.StartsWith('#') || !seen.Add(reference))
            {
                throw new NotSupportedException($"Cannot resolve the schema reference '{reference}': only local, non-circular references are supported.");
            }

            node = reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Select(segment => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
                .Aggregate<string, JsonNode?>(root, (parent, segment) => parent switch
                {
                    JsonObject obj => obj[segment],
                    JsonArray array when int.TryParse(segment, out var index) && index < array.Count => array[index],
                    _ => null,
                }) ?? throw new InvalidOperationException($"The schema reference '{reference}' points at nothing.");
        }

        return node as JsonObject ?? [];
    }

    // The JSON kinds a schema accepts: its "type", else the kinds of its "enum" values, else null for any.
    private static HashSet<string>? Kinds(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => [.. types.Select(t => t!.GetValue<string>())],
        JsonValue type => [type.GetValue<string>()],
        _ => schema["enum"] is JsonArray values ? [.. values.Select(KindOf)] : null,
    };

    private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    private static bool Accepts(HashSet<string> kinds, string kind) =>
        kinds.Contains(kind) || (kind == "integer" && kinds.Contains("number"));

    private static string[] Names(JsonNode? names) =>
        names is JsonArray array ? [.. array.Select(n => n!.GetValue<string>())] : [];

    private static string Describe(IEnumerable<string> kinds) => string.Join(" | ", kinds);

    private static string Describe(IEnumerable<JsonNode?> values) => string.Join(", ", values.Select(v => v?.ToJsonString() ?? "null"));
}
