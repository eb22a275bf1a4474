using System.Globalization;
using System.Text.RegularExpressions;

namespace StockSync.Contracts.Schemas;

/// <summary>
/// A message type's place in its version line. A type is version 1 unless its name ends in <c>V&lt;n&gt;</c>:
/// <c>SaleRecordedV2</c> is version 2 of <c>SaleRecorded</c>. A breaking change is never made to a published
/// version; it becomes a new type with the next version suffix, and both are published side by side.
/// </summary>
/// <param name="BaseName">The name without the version suffix, for example <c>SaleRecorded</c>.</param>
/// <param name="Version">The version, 1 or more.</param>
public sealed partial record MessageVersion(string BaseName, int Version)
{
    /// <summary>The type name of this version: the base name, with a <c>V&lt;n&gt;</c> suffix from version 2 on.</summary>
    public string TypeName => Version == 1 ? BaseName : string.Create(CultureInfo.InvariantCulture, $"{BaseName}V{Version}");

    /// <summary>The next version, the one a breaking change goes into.</summary>
    public MessageVersion Next => this with { Version = Version + 1 };

    /// <summary>The schema file name, for example <c>SaleRecorded.v1.schema.json</c>.</summary>
    public string FileName => string.Create(CultureInfo.InvariantCulture, $"{BaseName}.v{Version}.schema.json");

    /// <summary>Reads the version line of a message type from its name.</summary>
    /// <param name="messageType">The message type.</param>
    /// <returns>The base name and version.</returns>
    public static MessageVersion Of(Type messageType)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        var match = VersionSuffix().Match(messageType.Name);
        return match.Success
            ? new MessageVersion(match.Groups["base"].Value, int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture))
            : new MessageVersion(messageType.Name, 1);
    }

    [GeneratedRegex("^(?<base>.+)V(?<version>[1-9][0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionSuffix();
}
