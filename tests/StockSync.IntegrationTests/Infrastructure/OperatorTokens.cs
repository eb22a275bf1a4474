using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// The JWT side of the tests that run a host with <c>Security:Mode=Jwt</c>: one issuer, audience and HS256 key for the
/// test run (<see cref="HostSettings"/>), and tokens signed with them (<see cref="Token"/>).
/// </summary>
internal static class OperatorTokens
{
    public const string Issuer = "https://login.retailer.test/";
    public const string Audience = "stocksync";
    public static readonly string SigningKey = "test-only-signing-key-" + Guid.NewGuid().ToString("N");

    /// <summary>The settings of a host that wants tokens from <see cref="Issuer"/> for <see cref="Audience"/>, signed with <see cref="SigningKey"/>.</summary>
    public static Dictionary<string, string?> HostSettings() => new()
    {
        ["Security:Mode"] = "Jwt",
        ["Security:Jwt:Issuer"] = Issuer,
        ["Security:Jwt:Audience"] = Audience,
        ["Security:Jwt:SigningKey"] = SigningKey,
    };

    /// <summary>A token for such a host, with <paramref name="scopes"/> in the <paramref name="claim"/> claim; the other parameters make it forged, expired or foreign.</summary>
    public static string Token(string scopes, string? signingKey = null, DateTime? expires = null, string audience = Audience, string claim = "scope")
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
