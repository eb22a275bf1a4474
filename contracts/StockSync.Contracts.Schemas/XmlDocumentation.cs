using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace StockSync.Contracts.Schemas;

/// <summary>
/// The <c>&lt;summary&gt;</c> texts of an assembly's members, read from the XML documentation file the compiler writes
/// next to it (<c>GenerateDocumentationFile</c>), as plain one-line text for schema descriptions. References to
/// properties are written as their JSON names, since that is what a schema reader sees.
/// </summary>
internal sealed partial class XmlDocumentation
{
    private readonly Dictionary<string, string> _summaries;

    private XmlDocumentation(Dictionary<string, string> summaries) => _summaries = summaries;

    /// <summary>Loads the documentation file of an assembly.</summary>
    /// <exception cref="FileNotFoundException">The assembly has no documentation file next to it.</exception>
    public static XmlDocumentation For(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The XML documentation of {assembly.GetName().Name} was not found; schema descriptions come from it. Build with GenerateDocumentationFile=true.",
                path);
        }

        var summaries = XDocument.Load(path).Descendants("member")
            .Select(member => (Name: (string?)member.Attribute("name"), Summary: member.Element("summary")))
            .Where(m => m.Name is not null && m.Summary is not null)
            .ToDictionary(m => m.Name!, m => ToPlainText(m.Summary!), StringComparer.Ordinal);
        return new XmlDocumentation(summaries);
    }

    /// <summary>The summary of a type, or <see langword="null"/> when it has none.</summary>
    public string? Of(Type type) => _summaries.GetValueOrDefault($"T:{type.FullName}");

    /// <summary>The summary of a property (looked up on the type that declares it), or <see langword="null"/>.</summary>
    public string? Of(PropertyInfo property) =>
        _summaries.GetValueOrDefault($"P:{property.DeclaringType?.FullName}.{property.Name}");

    private static string ToPlainText(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(node => node switch
        {
            XElement { Name.LocalName: "see" } see => (string?)see.Attribute("langword") ?? CrefName((string?)see.Attribute("cref")),
            XElement element => element.Value,
            XText plain => plain.Value,
            _ => string.Empty,
        }));
        return Whitespace().Replace(text, " ").Trim();
    }

    // "T:Ns.InventoryAdjusted" reads as "InventoryAdjusted"; "P:Ns.StockMovement.OccurredAt" as its JSON name "occurredAt".
    private static string CrefName(string? cref)
    {
        if (string.IsNullOrEmpty(cref))
        {
            return string.Empty;
        }

        var name = cref[(cref.LastIndexOf('.') + 1)..];
        return cref.StartsWith("P:", StringComparison.Ordinal) ? JsonNamingPolicy.CamelCase.ConvertName(name) : name;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
