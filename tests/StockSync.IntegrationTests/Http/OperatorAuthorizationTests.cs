using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
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
    internal const string Issuer = "https://login.retailer.test/";
    internal const string Audience = "stocksync";
    internal static readonly string SigningKey = "test-only-signing-key-" + Guid.NewGuid().ToString("N");

    private StockSyncHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(rabbitMq: true, DatabaseProvider.PostgreSql, new Dictionary<string, string?>
        {
            ["Security:Mode"] = "Jwt",
            ["Security:Jwt:Issuer"] = Issuer,
            ["Security:Jwt:Audience"] = Audience,
            ["Security:Jwt:SigningKey"] = SigningKey,
        });
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
        await RefusedAsync(path, Token("ops", signingKey: "another-key-that-is-long-enough-for-hs256"), HttpStatusCode.Unauthorized, "a forged token");
        await RefusedAsync(path, Token("ops", expires: DateTime.UtcNow.AddMinutes(-10)), HttpStatusCode.Unauthorized, "an expired token");
        await RefusedAsync(path, Token("ops", audience: "another-service"), HttpStatusCode.Unauthorized, "a token for another audience");
        await RefusedAsync(path, Token("inventory:read orders:write"), HttpStatusCode.Forbidden, "a token without scope ops");

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("inventory:read ops"));
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
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("ops", claim: "scp"));
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

    /// <summary>A token for a host configured with <see cref="Issuer"/>, <see cref="Audience"/> and <see cref="SigningKey"/>.</summary>
    internal static string Token(string scopes, string? signingKey = null, DateTime? expires = null, string audience = Audience, string claim = "scope")
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "oncall@retailer.test"), new Claim(claim, scopes)]),
            NotBefore = expiry < now ? expiry.AddMinutes(-10) : now,
            IssuedAt = expiry < now ? expiry.AddMinutes(-10) : now,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
