using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace StockSync.Host.Infrastructure;

/// <summary>The <c>Security</c> configuration section: who may call the host's protected APIs.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Jwt (the default): bearer tokens from the retailer's identity provider, checked by ASP.NET Core's JWT handler.
    /// Development: every request is a developer with every scope. For a laptop and the tests only; the host logs a
    /// warning at start.
    /// </summary>
    public SecurityMode Mode { get; set; } = SecurityMode.Jwt;

    /// <summary>How bearer tokens are checked (Mode Jwt).</summary>
    public JwtSettings Jwt { get; set; } = new();
}

/// <summary>How the host authenticates callers.</summary>
public enum SecurityMode
{
    Jwt,
    Development,
}

/// <summary>
/// The <c>Security:Jwt</c> section. Give either <see cref="Authority"/> (an OpenID Connect issuer: its signing keys
/// are read from its discovery document) or <see cref="Issuer"/> plus <see cref="SigningKey"/> (a shared HS256 key,
/// for an issuer without discovery). <see cref="Audience"/> is always required.
/// </summary>
public sealed class JwtSettings
{
    /// <summary>The OpenID Connect issuer URL, for example https://login.example.com/realms/retail.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The expected <c>iss</c> (defaults to the authority's).</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>: the name this host is known by at the identity provider.</summary>
    public string? Audience { get; set; }

    /// <summary>A shared HS256 signing key of at least 32 bytes (UTF-8). Set it from a secret or the environment only.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Whether the authority's metadata must be fetched over HTTPS (keep true outside development).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Tolerance for clocks that disagree, on expiry and not-before.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The scopes StockSync's APIs ask for, and the authorization policies named after them.</summary>
public static class StockSyncScopes
{
    /// <summary>Operators: the ops API (sagas, dead letters, reconciliation, ERP feeds and postings) and the dashboard's data.</summary>
    public const string Ops = "ops";

    /// <summary>Reading stock.</summary>
    public const string InventoryRead = "inventory:read";

    /// <summary>Placing and changing orders.</summary>
    public const string OrdersWrite = "orders:write";

    public static IReadOnlyList<string> All { get; } = [InventoryRead, OrdersWrite, Ops];
}

/// <summary>
/// Authentication (JWT bearer, or the development mode) and one authorization policy per scope. A token's scopes are
/// read from <c>scope</c> (space-separated, RFC 8693) or <c>scp</c> (as some providers write them).
/// </summary>
internal static class SecuritySetup
{
    public const string DevelopmentScheme = "Development";

    public static WebApplicationBuilder AddStockSyncSecurity(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SecurityOptions.Section);
        builder.Services.AddOptions<SecurityOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidation>();
        var settings = section.Get<SecurityOptions>() ?? new SecurityOptions();

        if (settings.Mode == SecurityMode.Development)
        {
            builder.Services.AddAuthentication(DevelopmentScheme)
                .AddScheme<AuthenticationSchemeOptions, DevelopmentAuthenticationHandler>(DevelopmentScheme, null);
        }
        else
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
            {
                var jwt = settings.Jwt;
                o.Authority = jwt.Authority?.ToString();
                o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidateIssuer = true,
                    ValidAudience = jwt.Audience,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = jwt.ClockSkew,
                    NameClaimType = "sub",
                    IssuerSigningKey = jwt.SigningKey is { Length: > 0 } key ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) : null,
                };
            });
        }

        builder.Services.AddAuthorization(o =>
        {
            foreach (var scope in StockSyncScopes.All)
            {
                o.AddPolicy(scope, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, scope)));
            }
        });
        return builder;
    }

    /// <summary>Logs, at start, how callers are authenticated (loudly when everyone is let in).</summary>
    public static void LogSecurityMode(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (settings.Mode == SecurityMode.Development)
        {
            app.Logger.LogWarning("Security:Mode is Development: every request is treated as a developer with the scopes {Scopes}. Never run a shared or production host like this.", StockSyncScopes.All);
        }
        else
        {
            app.Logger.LogInformation("APIs that need a scope take JWT bearer tokens for audience {Audience} from {Issuer}", settings.Jwt.Audience, settings.Jwt.Authority?.ToString() ?? settings.Jwt.Issuer);
        }
    }

    /// <summary>Whether the caller's token grants <paramref name="scope"/>.</summary>
    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Concat(user.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);

    /// <summary>Names the missing or contradictory keys, so a bad configuration stops the host with a clear message.</summary>
    private sealed class SecurityOptionsValidation : IValidateOptions<SecurityOptions>
    {
        public ValidateOptionsResult Validate(string? name, SecurityOptions options)
        {
            if (options.Mode != SecurityMode.Jwt)
            {
                return ValidateOptionsResult.Success;
            }

            var jwt = options.Jwt;
            var failures = new List<string>();
            if (string.IsNullOrWhiteSpace(jwt.Audience))
            {
                failures.Add("Security:Jwt:Audience is required (the audience the identity provider issues this host's tokens for), or set Security:Mode to Development on a laptop.");
            }

            if (jwt.Authority is null && (string.IsNullOrWhiteSpace(jwt.Issuer) || string.IsNullOrEmpty(jwt.SigningKey)))
            {
                failures.Add("Give Security:Jwt:Authority (an OpenID Connect issuer), or Security:Jwt:Issuer together with Security:Jwt:SigningKey.");
            }

            if (jwt.Authority is { IsAbsoluteUri: false })
            {
                failures.Add("Security:Jwt:Authority must be an absolute URL.");
            }

            if (jwt.SigningKey is { Length: > 0 } key && Encoding.UTF8.GetByteCount(key) < 32)
            {
                failures.Add("Security:Jwt:SigningKey must be at least 32 bytes (HS256).");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    /// <summary>The development mode: every request is "developer" with every scope.</summary>
    private sealed class DevelopmentAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var identity = new ClaimsIdentity(
                [new Claim("sub", "developer"), new Claim("scope", string.Join(' ', StockSyncScopes.All))],
                DevelopmentScheme,
                "sub",
                null);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), DevelopmentScheme)));
        }
    }
}
