using Kci.Hosting.Persistence;
using Kci.Hosting.Resilience;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Kci.Hosting.Telemetry;

/// <summary>
/// Every 10 s, the service's outbox for <see cref="KciGauges.Outbox"/>: rows older than the sweep delay (sent rows are
/// deleted sooner, so these are the ones nobody could send yet) and the age of the oldest row, on the database's clock.
/// </summary>
public sealed class OutboxGauge<TDb>(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, KciGauges gauges, IOptions<OutboxOptions> options,
    TimeProvider clock, DatabaseGate gate, ILogger<OutboxGauge<TDb>> logger) : RepeatingService(clock, logger, gate)
    where TDb : DbContext
{
    private string? _sql;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(10);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (_sql is null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var table = scope.ServiceProvider.GetRequiredService<TDb>().Model.FindEntityType(typeof(OutboxMessage))!.GetSchemaQualifiedTableName()!;
            _sql = $"SELECT count(*) FILTER (WHERE created_at <= now() - $1), COALESCE(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM {table}";
        }
        await using var command = dataSource.CreateCommand(_sql);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.SweepAfter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        gauges.Outbox = new KciGauges.OutboxState(reader.GetInt64(0), Math.Max(0, reader.GetDouble(1)));
    }
}
