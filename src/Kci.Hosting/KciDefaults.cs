using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
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
        var detailedDurations = builder.Configuration.GetValue("Metrics:DetailedDurations", false);
        var cardinalityLimit = builder.Configuration.GetValue("Metrics:CardinalityLimit", 200);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "Npgsql", Telemetry.KciMetrics.MeterName, Messaging.TransactionBatcher<object>.MeterName)
                .AddView(instrument => StreamOf(instrument, detailedDurations, cardinalityLimit))
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
    /// The libraries' histograms recorded for every message and every SQL statement (MassTransit's receive, consume and
    /// delivery durations, Npgsql's operation duration): each adds a bucketed series per message type, consumer and
    /// statement kind to every service's memory and a record to every message, so they are left out unless
    /// <c>Metrics:DetailedDurations</c> is true (docs/operations.md). The libraries' counters and gauges, ASP.NET Core's
    /// request duration and our own histograms stay.
    /// </summary>
    private static MetricStreamConfiguration StreamOf(System.Diagnostics.Metrics.Instrument instrument, bool detailedDurations, int cardinalityLimit)
    {
        if (!detailedDurations && PerOperationDuration(instrument))
            return MetricStreamConfiguration.Drop;
        // Every stream holds room for its cardinality limit of label sets from the start (the SDK's default is 2,000); our
        // labels are bounded far below 200, and the SDK counts any excess under otel_metric_overflow instead of growing.
        if (instrument.Name is Telemetry.KciMetrics.HoldDuration or Telemetry.KciMetrics.EndToEndDuration)
            return new ExplicitBucketHistogramConfiguration { Boundaries = Telemetry.KciMetrics.DurationBoundaries, CardinalityLimit = cardinalityLimit };
        return new MetricStreamConfiguration { CardinalityLimit = cardinalityLimit };
    }

    private static bool PerOperationDuration(System.Diagnostics.Metrics.Instrument instrument) =>
        (instrument.Meter.Name == "MassTransit" && instrument.Name.EndsWith(".duration", StringComparison.Ordinal))
        || (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.operation.duration");

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
