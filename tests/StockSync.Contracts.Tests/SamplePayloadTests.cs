using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using StockSync.Contracts.Schemas;

namespace StockSync.Contracts.Tests;

/// <summary>
/// The checked-in sample payloads (<c>Samples/&lt;TypeName&gt;.json</c>, one per message) pin the wire format: each must
/// read into its contract with no member left over and write back to the same JSON, and fit the published schema.
/// </summary>
public class SamplePayloadTests
{
    private static readonly JsonSerializerOptions Strict = new(ContractSchemas.SerializerOptions)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    [Theory]
    [MemberData(nameof(ContractFiles.MessageNames), MemberType = typeof(ContractFiles))]
    public void The_sample_payload_reads_into_its_contract_and_writes_back_unchanged(string message)
    {
        var sample = JsonNode.Parse(ContractFiles.Sample(message));

        var written = JsonSerializer.SerializeToNode(Read(message), ContractFiles.MessageType(message), ContractSchemas.SerializerOptions);

        Assert.True(
            JsonNode.DeepEquals(sample, written),
            $"Samples/{message}.json does not round-trip; the contract wrote:\n{written?.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}");
    }

    [Theory]
    [MemberData(nameof(ContractFiles.MessageNames), MemberType = typeof(ContractFiles))]
    public void A_serialized_message_fits_its_published_schema(string message)
    {
        var type = ContractFiles.MessageType(message);

        var written = JsonSerializer.SerializeToNode(Read(message), type, ContractSchemas.SerializerOptions);

        Assert.Empty(SchemaShape.Problems(written, ContractFiles.PublishedSchema(type)));
    }

    private static object Read(string message) =>
        JsonSerializer.Deserialize(ContractFiles.Sample(message), ContractFiles.MessageType(message), Strict)
        ?? throw new InvalidOperationException($"Samples/{message}.json is null.");
}
