using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Http;

/// <summary>
/// The operators' APIs behind JWT bearer tokens with scope <c>ops</c> (Security:Mode Jwt, a shared HS256 key), on a
/// host on RabbitMQ and PostgreSQL: no token, a forged, expired or foreign token, and a token without the scope are
/// refused with problem details; a token with the scope is let in.
/// </summary>
public sealed class OperatorAuthorizationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: true, DatabaseProvider.PostgreSql, OperatorTokens.HostSettings());
        output.WriteLine($"Running against {_host.Description}");
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("/ops/sagas/by-state")]
    [InlineData("/ops/dead-letters")]
    [InlineData("/erp/postings")]
    public async Task An_operator_route_wants_a_valid_token_with_scope_ops(string path)
    {
        await RefusedAsync(path, token: null, HttpStatusCode.Unauthorized, "no token");
        await RefusedAsync(path, OperatorTokens.Token("ops", signingKey: "another-key-that-is-long-enough-for-hs256"), HttpStatusCode.Unauthorized, "a forged token");
        await RefusedAsync(path, OperatorTokens.Token("ops", expires: DateTime.UtcNow.AddMinutes(-10)), HttpStatusCode.Unauthorized, "an expired token");
        await RefusedAsync(path, OperatorTokens.Token("ops", audience: "another-service"), HttpStatusCode.Unauthorized, "a token for another audience");
        await RefusedAsync(path, OperatorTokens.Token("inventory:read orders:write"), HttpStatusCode.Forbidden, "a token without scope ops");

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorTokens.Token("inventory:read ops"));
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"with scope ops: {(int)response.StatusCode} {text}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} with scope ops: {(int)response.StatusCode} {text}");
        Assert.IsType<JsonArray>(JsonNode.Parse(text));
    }

    [Fact]
    public async Task The_scope_may_come_as_scp_as_some_identity_providers_write_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ops/sagas/stuck");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorTokens.Token("ops", claim: "scp"));
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task RefusedAsync(string path, string? token, HttpStatusCode status, string what)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"GET {path} with {what}: {(int)response.StatusCode} {response.Headers.WwwAuthenticate} {text}");
        Assert.True(response.StatusCode == status, $"GET {path} with {what}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.Equal(status == HttpStatusCode.Unauthorized ? "urn:stocksync:problem:unauthorized" : "urn:stocksync:problem:forbidden", problem["type"]!.GetValue<string>());
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }
}
