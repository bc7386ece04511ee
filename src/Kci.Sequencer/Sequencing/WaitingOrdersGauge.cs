using Kci.Hosting;
using Kci.Hosting.Resilience;
using Kci.Hosting.Telemetry;
using Npgsql;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// Every 10 s, the orders that wait and the longest wait of each reason (<c>kci.orders.waiting</c>,
/// <c>kci.orders.oldest_wait</c>), read from <c>sequencer.order_overview</c> as the operations API reads it: an order
/// waits on an acknowledgement only once its run has been with Handlers for over 10 s. Every reason is reported, 0 when
/// none waits, so an alert's series never vanishes.
/// </summary>
public sealed class WaitingOrdersGauge(NpgsqlDataSource dataSource, KciGauges gauges, TimeProvider clock, DatabaseGate gate,
    ILogger<WaitingOrdersGauge> logger) : RepeatingService(clock, logger, gate)
{
    public static readonly string[] Reasons = ["gap", "blocked", "parked", "dead-letter", "acknowledgement"];

    private const string Sql = """
        SELECT waiting_reason, count(*), extract(epoch FROM now() - min(waiting_since))::float8
        FROM sequencer.order_overview
        WHERE waiting_reason IS NOT NULL AND (waiting_reason <> 'acknowledgement' OR waiting_since < now() - interval '10 seconds')
        GROUP BY waiting_reason
        """;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(10);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, KciGauges.WaitingOrders>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                found[reader.GetString(0)] = new KciGauges.WaitingOrders(reader.GetString(0), reader.GetInt64(1), Math.Max(0, reader.GetDouble(2)));
        }
        gauges.Waiting = [.. Reasons.Select(r => found.GetValueOrDefault(r) ?? new KciGauges.WaitingOrders(r, 0, 0))];
    }
}
