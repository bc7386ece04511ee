using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kci.Hosting.Resilience;

/// <summary>Not ready while the <see cref="DatabaseGate"/> holds messages back.</summary>
public sealed class DatabaseGateHealthCheck(DatabaseGate gate) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(gate.ClosedSince is { } since
            ? HealthCheckResult.Unhealthy($"database unreachable since {since:O}; messages wait in RabbitMQ")
            : HealthCheckResult.Healthy("open"));
}
