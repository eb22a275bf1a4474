using StockSync.Contracts.Schemas;

namespace StockSync.Contracts.Tests;

/// <summary>The checked-in schemas in <c>contracts/schemas</c> against the contracts as they are now.</summary>
public class PublishedSchemaTests
{
    [Theory]
    [MemberData(nameof(ContractFiles.MessageNames), MemberType = typeof(ContractFiles))]
    public void Every_message_has_a_published_schema_and_the_current_contract_is_compatible_with_it(string message)
    {
        var check = PublishedSchemas.Check(ContractFiles.SchemaDirectory, ContractFiles.MessageType(message));

        Assert.True(
            check.State != SchemaFileState.New,
            $"{message} has no published schema at {check.FilePath}. Run from the repository root: {PublishedSchemas.RegenerateCommand}");
        Assert.True(
            check.BreakingChanges.Count == 0,
            $"{message} breaks its published schema {Path.GetFileName(check.FilePath)}:\n  {string.Join("\n  ", check.BreakingChanges)}\n" +
            PublishedSchemas.BreakingChangeAdvice(check.MessageType));
    }

    [Theory]
    [MemberData(nameof(ContractFiles.MessageNames), MemberType = typeof(ContractFiles))]
    public void Published_schemas_are_up_to_date(string message)
    {
        var check = PublishedSchemas.Check(ContractFiles.SchemaDirectory, ContractFiles.MessageType(message));

        Assert.True(
            check.State == SchemaFileState.Unchanged,
            $"{Path.GetFileName(check.FilePath)} is out of date ({check.State}). " + (check.State == SchemaFileState.Breaking
                ? PublishedSchemas.BreakingChangeAdvice(check.MessageType)
                : $"Regenerate the schemas from the repository root with: {PublishedSchemas.RegenerateCommand}"));
    }
}
