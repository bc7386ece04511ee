using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Kci.Hosting.Resilience;

/// <summary>While the <see cref="DatabaseGate"/> is closed, asks the database once a second whether it answers, and opens the gate when it does.</summary>
public sealed class DatabaseProbe(DatabaseGate gate, NpgsqlDataSource dataSource, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (gate.IsOpen)
                {
                    await Task.Delay(Interval / 4, clock, stoppingToken);
                    continue;
                }
                if (await AnswersAsync(stoppingToken))
                    gate.Open();
                else
                    await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(5));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(bound.Token);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
