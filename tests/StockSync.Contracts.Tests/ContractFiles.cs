using System.Text.Json.Nodes;
using StockSync.Contracts.Schemas;

namespace StockSync.Contracts.Tests;

/// <summary>The message types under test and their checked-in files: schemas in <c>contracts/schemas</c>, samples in <c>Samples</c>.</summary>
public static class ContractFiles
{
    /// <summary>The checked-in schema folder, found by walking up from the test's output folder to the repository root.</summary>
    public static string SchemaDirectory { get; } = PublishedSchemas.FindDirectory(AppContext.BaseDirectory);

    /// <summary>The name of every type in <see cref="MessageCatalog.All"/> (names, so that xunit shows one case per message).</summary>
    public static TheoryData<string> MessageNames => [.. MessageCatalog.All.Select(t => t.Name)];

    /// <summary>The message type with a name from <see cref="MessageNames"/>.</summary>
    public static Type MessageType(string name) => MessageCatalog.All.Single(t => t.Name == name);

    /// <summary>The checked-in schema of a message type.</summary>
    public static JsonObject PublishedSchema(Type messageType) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(SchemaDirectory, MessageVersion.Of(messageType).FileName)))!.AsObject();

    /// <summary>The checked-in sample payload of a message type, <c>Samples/&lt;TypeName&gt;.json</c>.</summary>
    public static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", $"{name}.json"));
}
