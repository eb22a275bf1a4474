using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;
using StockSync.Persistence;
using StockSync.Persistence.Telemetry;

namespace StockSync.Host.Infrastructure;

/// <summary>The <c>Telemetry</c> configuration section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>None, Console (traces and metrics printed, for development) or Otlp (a collector at <see cref="OtlpEndpoint"/>).</summary>
    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>The OTLP collector endpoint.</summary>
    [Required]
    public Uri OtlpEndpoint { get; set; } = new("http://localhost:4317");

    /// <summary>The service name reported on every span and metric.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceName { get; set; } = "stocksync";

    /// <summary>The Prometheus scrape endpoint, independent of <see cref="Exporter"/>.</summary>
    [Required]
    public PrometheusOptions Prometheus { get; set; } = new();
}

/// <summary>The <c>Telemetry:Prometheus</c> configuration section.</summary>
public sealed class PrometheusOptions
{
    /// <summary>Serves the metrics (the <c>StockSync</c> meter, MassTransit, ASP.NET Core, HttpClient) in the Prometheus text format.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where Prometheus scrapes.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^/.*", ErrorMessage = "Telemetry:Prometheus:Path must start with '/'.")]
    public string Path { get; set; } = "/metrics";
}

/// <summary>Where telemetry goes.</summary>
public enum TelemetryExporter
{
    None,
    Console,
    Otlp,
}

/// <summary>
/// The "service defaults" of StockSync: structured Serilog logging and OpenTelemetry traces and metrics
/// (the <c>StockSync</c> meter and activity source, ASP.NET Core, HttpClient and MassTransit): metrics on the
/// Prometheus scrape endpoint unless <c>Telemetry:Prometheus:Enabled</c> is false, and traces and metrics to the
/// console or an OTLP collector as <c>Telemetry:Exporter</c> says.
/// </summary>
internal static class ObservabilitySetup
{
    public static WebApplicationBuilder AddStockSyncObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}"));

        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration.GetSection(TelemetryOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddStockSyncDatabaseGauges(builder.Configuration);
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (telemetry.Exporter == TelemetryExporter.None && !telemetry.Prometheus.Enabled)
        {
            return builder;
        }

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("MassTransit", StockSyncTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (telemetry.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (telemetry.Exporter == TelemetryExporter.Otlp)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = telemetry.OtlpEndpoint);
                }
                else if (telemetry.Exporter == TelemetryExporter.Console)
                {
                    metrics.AddConsoleExporter();
                }
            });
        if (telemetry.Exporter == TelemetryExporter.None)
        {
            return builder; // the scrape endpoint serves metrics; traces need a collector (or the console)
        }

        otel.WithTracing(tracing =>
        {
            tracing.AddSource("MassTransit", StockSyncTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
            if (telemetry.Exporter == TelemetryExporter.Otlp)
            {
                tracing.AddOtlpExporter(o => o.Endpoint = telemetry.OtlpEndpoint);
            }
            else
            {
                tracing.AddConsoleExporter();
            }
        });
        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint (<c>Telemetry:Prometheus:Path</c>, <c>/metrics</c>) when it is enabled.</summary>
    public static WebApplication MapStockSyncMetrics(this WebApplication app)
    {
        var prometheus = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value.Prometheus;
        if (prometheus.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(prometheus.Path);
        }

        return app;
    }
}
