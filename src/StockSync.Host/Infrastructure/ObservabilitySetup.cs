using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;

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
/// (ASP.NET Core, HttpClient and MassTransit), exported as configured.
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
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (telemetry.Exporter == TelemetryExporter.None)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(telemetry.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource("MassTransit").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (telemetry.Exporter == TelemetryExporter.Otlp)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = telemetry.OtlpEndpoint);
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("MassTransit").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (telemetry.Exporter == TelemetryExporter.Otlp)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = telemetry.OtlpEndpoint);
                }
                else
                {
                    metrics.AddConsoleExporter();
                }
            });
        return builder;
    }
}
