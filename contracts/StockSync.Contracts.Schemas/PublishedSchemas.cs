using System.Text.Json.Nodes;

namespace StockSync.Contracts.Schemas;

/// <summary>How a message's generated schema relates to its checked-in file.</summary>
public enum SchemaFileState
{
    /// <summary>The file holds exactly the generated schema.</summary>
    Unchanged,

    /// <summary>There is no file yet: the message (or message version) is new.</summary>
    New,

    /// <summary>The file differs, but the generated schema is compatible with it.</summary>
    UpdatedCompatible,

    /// <summary>The generated schema breaks the published one; the file must not be overwritten.</summary>
    Breaking,
}

/// <summary>The generated schema of one message type, compared with its checked-in schema file.</summary>
/// <param name="MessageType">The message type.</param>
/// <param name="FilePath">The schema file's path.</param>
/// <param name="GeneratedText">The generated schema, as the file should read.</param>
/// <param name="State">How the generated schema relates to the file.</param>
/// <param name="BreakingChanges">Why the state is <see cref="SchemaFileState.Breaking"/>; empty otherwise.</param>
public sealed record SchemaFileCheck(
    Type MessageType,
    string FilePath,
    string GeneratedText,
    SchemaFileState State,
    IReadOnlyList<BreakingChange> BreakingChanges);

/// <summary>The published schema files in <c>contracts/schemas</c>.</summary>
public static class PublishedSchemas
{
    /// <summary>The solution file that marks the repository root.</summary>
    public const string SolutionFileName = "StockSync.sln";

    /// <summary>The command that regenerates the schema files, run from the repository root.</summary>
    public const string RegenerateCommand = "dotnet run --project contracts/StockSync.Contracts.SchemaExport";

    /// <summary>What to do about a breaking change to a message type, for the developer who made it.</summary>
    /// <param name="messageType">The message type whose schema would break.</param>
    public static string BreakingChangeAdvice(Type messageType)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        return $"Published contracts never change incompatibly: keep {messageType.Name} as published and add a new message version, " +
            $"{MessageVersion.Of(messageType).Next.TypeName}, for the change (it gets its own schema file and both are published).";
    }

    /// <summary>Finds <c>contracts/schemas</c> by walking up from a folder to the one that holds <see cref="SolutionFileName"/>.</summary>
    /// <param name="startDirectory">A folder inside the repository, for example <see cref="AppContext.BaseDirectory"/>.</param>
    /// <exception cref="DirectoryNotFoundException">No parent folder holds the solution file.</exception>
    public static string FindDirectory(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return Path.Combine(directory.FullName, "contracts", "schemas");
            }
        }

        throw new DirectoryNotFoundException($"No folder above {startDirectory} holds {SolutionFileName}.");
    }

    /// <summary>Generates a message type's schema and compares it with its file in a schema folder.</summary>
    /// <param name="directory">The schema folder.</param>
    /// <param name="messageType">The message type.</param>
    public static SchemaFileCheck Check(string directory, Type messageType)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        var path = Path.Combine(directory, MessageVersion.Of(messageType).FileName);
        var schema = ContractSchemas.Generate(messageType);
        var text = ContractSchemas.ToFileText(schema);
        if (!File.Exists(path))
        {
            return new SchemaFileCheck(messageType, path, text, SchemaFileState.New, []);
        }

        // Line ends are compared loosely so that a checkout with CRLF line ends is not "changed".
        var published = File.ReadAllText(path);
        if (string.Equals(published.ReplaceLineEndings("\n"), text, StringComparison.Ordinal))
        {
            return new SchemaFileCheck(messageType, path, text, SchemaFileState.Unchanged, []);
        }

        var breaking = SchemaCompatibility.Compare(JsonNode.Parse(published) ?? new JsonObject(), schema);
        return new SchemaFileCheck(
            messageType, path, text, breaking.Count > 0 ? SchemaFileState.Breaking : SchemaFileState.UpdatedCompatible, breaking);
    }
}
