using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using StockSync.Persistence.Mapping;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Http;

/// <summary>
/// The id mapping tables over HTTP, on the embedded default: a store's barcode maps to a canonical SKU with its unit
/// of measure, a store number to a location, bad mappings are refused, and an unmapped id is a fault that says what to add.
/// </summary>
public sealed class MappingsApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: false, DatabaseProvider.Sqlite);
        output.WriteLine($"Running against {_host.Description}");
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_case_barcode_maps_to_twelve_units_of_its_sku_and_a_store_number_to_its_location()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsJsonAsync("/mappings/pos/skus/05012345678900", new { canonicalId = "SKU-1001", unitsPerExternal = 12 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsJsonAsync("/mappings/pos/locations/0042", new { canonicalId = "STORE-001" })).StatusCode);
        // A re-mapping replaces the old one.
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsJsonAsync("/mappings/pos/skus/05012345678900", new { canonicalId = "SKU-1001", unitsPerExternal = 6 })).StatusCode);

        var listed = JsonNode.Parse(await _client.GetStringAsync("/mappings/pos"))!.AsArray();
        Assert.Equal(
            ["Location 0042 -> STORE-001 x1", "Sku 05012345678900 -> SKU-1001 x6"],
            listed.Select(m => $"{m!["kind"]} {m["externalId"]} -> {m["canonicalId"]} x{m["unitsPerExternal"]}"));

        await using var scope = _host.Services.CreateAsyncScope();
        var ids = scope.ServiceProvider.GetRequiredService<ExternalIds>();
        var sku = await ids.RequireSkuAsync("pos", "05012345678900", default);
        Assert.Equal(("SKU-1001", 18), (sku.Sku, sku.ToCanonical(3)));
        Assert.Equal("STORE-001", await ids.RequireLocationAsync("pos", "0042", default));
        Assert.Equal("05012345678900", Assert.Single(await ids.ExternalIdsOfAsync("pos", ExternalIdKind.Sku, "SKU-1001", default)).ExternalId);
        Assert.Null(await ids.FindSkuAsync("shopify", "05012345678900", default));

        var unmapped = await Assert.ThrowsAsync<UnmappedIdException>(() => ids.RequireLocationAsync("pos", "0099", default));
        Assert.Equal("pos location '0099' has no mapping to a canonical id: add it (PUT /mappings/pos/locations/0099, or in the ERP master data), then replay the message from the error queue.", unmapped.Message);
    }

    [Theory]
    [InlineData("/mappings/pos/skus/X1", """{"canonicalId":"SKU-1","unitsPerExternal":0}""", "unitsPerExternal")]
    [InlineData("/mappings/pos/skus/X1", """{"canonicalId":" "}""", "canonicalId")]
    [InlineData("/mappings/pos/locations/S1", """{"canonicalId":"STORE-1","unitsPerExternal":12}""", "unitsPerExternal")]
    public async Task A_bad_mapping_is_a_400_naming_the_field_and_stores_nothing(string path, string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await _client.PutAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
        Assert.Empty(JsonNode.Parse(await _client.GetStringAsync("/mappings/pos"))!.AsArray());
    }
}
