using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Resilience;
using Kci.Hosting.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.DeadLetters;

/// <summary>
/// Every 10 s, the dead letters that wait for an operator, per dead-letter queue (<c>kci.dead_letters</c>). Every queue of
/// the pipeline is reported, 0 when it holds none, so an alert's series never vanishes.
/// </summary>
public sealed class DeadLetterGauge(IServiceScopeFactory scopes, KciGauges gauges, TimeProvider clock, DatabaseGate gate,
    ILogger<DeadLetterGauge> logger) : RepeatingService(clock, logger, gate)
{
    private static readonly string[] Queues = [.. new[] { KciQueues.Sequencer, KciQueues.SequencerControl, KciQueues.Informational,
        KciQueues.ActionRequired, KciQueues.Error, KciQueues.Unrecognised, KciQueues.Gaps }.Select(q => $"{q}_error")];

    protected override TimeSpan Interval => TimeSpan.FromSeconds(10);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HandlersDb>();
        var counts = await db.DeadLetters.AsNoTracking().Where(d => d.State == DeadLetterStates.Dead)
            .GroupBy(d => d.Queue).Select(g => new { Queue = g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Queue, g => g.Count, cancellationToken);
        gauges.DeadLetters = [.. Queues.Union(counts.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(q => new KciGauges.QueueCount(q, counts.GetValueOrDefault(q)))];
    }
}
