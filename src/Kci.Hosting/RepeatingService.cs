using Kci.Hosting.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kci.Hosting;

/// <summary>
/// A background job that runs a round, waits, and runs again; a failed round is logged and retried after a pause. With a
/// <see cref="DatabaseGate"/>, a round that finds the database unreachable closes the gate and the job waits, quietly,
/// until the database answers again.
/// </summary>
public abstract class RepeatingService(TimeProvider clock, ILogger logger, DatabaseGate? gate = null) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    /// <summary>The pause between two rounds.</summary>
    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (gate is not null)
                    await gate.WaitOpenAsync(stoppingToken);
                await RunOnceAsync(stoppingToken);
                await Task.Delay(Interval, Clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (gate?.Report(ex) != true)
                    HostingLog.RoundFailed(logger, ex, GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(2), Clock, stoppingToken);
            }
        }
    }
}
