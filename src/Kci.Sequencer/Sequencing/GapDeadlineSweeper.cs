using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Messages;
using Kci.Sequencer.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// Gap deadlines live in PostgreSQL (<c>order_sequences.gap_deadline</c>), so they survive restarts. This
/// service looks for passed ones and sends the saga a <see cref="GapTimeoutElapsed"/>; the saga decides
/// under its row lock, so a repeated or stale message does nothing. Every instance sweeps; that is harmless.
/// </summary>
public sealed class GapDeadlineSweeper(
    IServiceScopeFactory scopes,
    IBus bus,
    TimeProvider clock,
    IOptionsMonitor<SequencerOptions> options,
    ILogger<GapDeadlineSweeper> logger) : RepeatingService(clock, logger)
{
    protected override TimeSpan Interval => options.CurrentValue.SweepInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SequencerDb>();
        var now = Clock.GetUtcNow();
        var due = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.GapDeadline != null && o.GapDeadline <= now)
            .OrderBy(o => o.GapDeadline)
            .Select(o => new GapTimeoutElapsed { OrderId = o.CorrelationId, Deadline = o.GapDeadline!.Value })
            .Take(500)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
            return;

        var endpoint = await bus.GetSendEndpoint(KciQueues.Address(KciQueues.Sequencer));
        await endpoint.SendBatch(due, cancellationToken);
    }
}
