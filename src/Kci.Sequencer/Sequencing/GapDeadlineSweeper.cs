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
/// A deadline is sent once, and again only if it is still there <see cref="ResendAfter"/> later (the saga
/// may be behind a long queue), so a backlog is not flooded with copies every round.
/// </summary>
public sealed class GapDeadlineSweeper(
    IServiceScopeFactory scopes,
    IBus bus,
    TimeProvider clock,
    IOptionsMonitor<SequencerOptions> options,
    ILogger<GapDeadlineSweeper> logger) : RepeatingService(clock, logger)
{
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(30);
    private readonly Dictionary<(Guid OrderId, DateTimeOffset Deadline), DateTimeOffset> _sent = [];

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
        foreach (var stale in _sent.Where(s => now - s.Value > ResendAfter).Select(s => s.Key).ToList())
            _sent.Remove(stale);
        var toSend = due.Where(d => !_sent.ContainsKey((d.OrderId, d.Deadline))).ToList();
        if (toSend.Count == 0)
            return;

        var endpoint = await bus.GetSendEndpoint(KciQueues.Address(KciQueues.Sequencer));
        await endpoint.SendBatch(toSend, cancellationToken);
        foreach (var sent in toSend)
            _sent[(sent.OrderId, sent.Deadline)] = now;
    }
}
