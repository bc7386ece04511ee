using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Kci.Hosting;

public static class KciDefaults
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Logging, metrics (at <c>GET /metrics</c>, and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), traces (over
    /// OTLP, only when it is set) and health checks.
    /// </summary>
    public static IHostApplicationBuilder AddKciDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.IncludeScopes = true;
        });

        // Metrics always: Prometheus scrapes GET /metrics (docs/operations.md). Traces only when something receives them:
        // without an exporter, recording an activity for every request, message and SQL command costs CPU for nothing
        // (docs/performance.md). With OTEL_EXPORTER_OTLP_ENDPOINT set, traces and metrics also go out over OTLP.
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "Npgsql", Telemetry.KciMetrics.MeterName, Messaging.TransactionBatcher<object>.MeterName)
                .AddView(Telemetry.KciMetrics.HoldDuration, Telemetry.KciMetrics.DurationBuckets)
                .AddView(Telemetry.KciMetrics.EndToEndDuration, Telemetry.KciMetrics.DurationBuckets)
                .AddPrometheusExporter());
        if (otlp)
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource("MassTransit", Telemetry.KciTracing.SourceName)
                    .AddNpgsql()
                    .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                        !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        builder.Services.AddSingleton<Telemetry.KciGauges>();
        builder.Services.AddSingleton<Telemetry.KciMetrics>();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// <c>GET /health/live</c>: the process answers. <c>GET /health/ready</c>: its broker and database answer. <c>GET /metrics</c>:
    /// the Prometheus text format (low-cardinality labels only, no personal data: open like the health checks).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        // The instruments exist from the start, not from the first KCI: a service that has handled nothing yet still
        // reports its gauges (endpoints consuming, dead letters, the outbox), so their alerts can fire after a restart.
        app.Services.GetRequiredService<Telemetry.KciMetrics>();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponse.WriteAsync,
            // Degraded (MassTransit's word for "some endpoints are not consuming") is not ready either.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
