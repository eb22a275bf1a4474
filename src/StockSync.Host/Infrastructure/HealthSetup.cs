using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StockSync.Persistence;

namespace StockSync.Host.Infrastructure;

/// <summary>
/// Liveness (the process answers) and readiness (the transport is connected and the database answers).
/// MassTransit registers its own bus check with the <c>ready</c> tag.
/// </summary>
internal static class HealthSetup
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddStockSyncHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return services;
    }

    public static void MapStockSyncHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    private sealed class DatabaseHealthCheck(StockSyncDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await db.Database.CanConnectAsync(cancellationToken)
                    ? HealthCheckResult.Healthy($"{db.Database.ProviderName} answers.")
                    : HealthCheckResult.Unhealthy($"{db.Database.ProviderName} does not answer.");
            }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return HealthCheckResult.Unhealthy($"{db.Database.ProviderName} does not answer: {ex.Message}", ex);
            }
        }
    }
}
