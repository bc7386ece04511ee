using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Resilience;
using Kci.Messages;
using Kci.Sequencer.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// The saga's two timers live in PostgreSQL (<c>order_sequences.gap_deadline</c> and <c>ack_deadline</c>), so they survive
/// restarts, and are compared with the database's clock (<c>now()</c>), never an instance's. This service looks for passed
/// ones and tells the saga: <see cref="GapTimeoutElapsed"/> through <c>kci-sequencer</c>, behind every KCI that arrived
/// before it (a missing KCI still queued is never taken for lost), and <see cref="AckTimeoutElapsed"/> through
/// <c>kci-sequencer-control</c>. The saga decides under its row lock, so a repeated or stale message does nothing, and every
/// instance may sweep. A deadline is sent once, and again only if it is still there <see cref="ResendAfter"/> later.
/// <para>
/// Time the Sequencer could not work does not count: after its database or broker was away, and when the process starts,
/// every deadline due within <see cref="SequencerOptions.GraceAfterOutage"/> is moved out to that, so the gateway can deliver
/// again what it could not, and the queues can drain, before a number counts as a gap or an acknowledgement as lost.
/// </para>
/// </summary>
public sealed class DeadlineSweeper : RepeatingService
{
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(30);
    private readonly Dictionary<(Guid OrderId, DateTimeOffset Deadline), DateTimeOffset> _sent = [];
    private readonly IServiceScopeFactory _scopes;
    private readonly IBus _bus;
    private readonly IOptionsMonitor<SequencerOptions> _options;
    private readonly ILogger<DeadlineSweeper> _logger;
    private readonly DatabaseGate _gate;
    private readonly EndpointMonitor _endpoints;
    private volatile bool _deferDue = true; // a (re)start is an outage too

    public DeadlineSweeper(IServiceScopeFactory scopes, IBus bus, TimeProvider clock, IOptionsMonitor<SequencerOptions> options,
        DatabaseGate gate, EndpointMonitor endpoints, ILogger<DeadlineSweeper> logger) : base(clock, logger, gate)
    {
        _scopes = scopes;
        _bus = bus;
        _options = options;
        _logger = logger;
        _gate = gate;
        _endpoints = endpoints;
        gate.Reopened += _ => _deferDue = true;
        endpoints.ConsumingAgain += () => _deferDue = true;
    }

    protected override TimeSpan Interval => _options.CurrentValue.SweepInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // No deadline passes while the Sequencer cannot work: a KCI the gateway could not deliver, or that waits in our
        // queues, is not missing. Once it can work again, deadlines move out first (DeferDueDeadlinesAsync).
        if (!_gate.IsOpen || !_endpoints.Consuming)
        {
            _deferDue = true;
            return;
        }
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SequencerDb>();
        if (_deferDue)
        {
            await DeferDueDeadlinesAsync(db, cancellationToken);
            _deferDue = false;
        }

        var now = Clock.GetUtcNow();
        foreach (var stale in _sent.Where(s => now - s.Value > ResendAfter).Select(s => s.Key).ToList())
            _sent.Remove(stale);

        var gaps = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.GapDeadline != null && o.GapDeadline <= DateTimeOffset.UtcNow) // the database's now()
            .OrderBy(o => o.GapDeadline)
            .Select(o => new GapTimeoutElapsed { OrderId = o.CorrelationId, Deadline = o.GapDeadline!.Value })
            .Take(500)
            .ToListAsync(cancellationToken);
        await SendAsync(KciQueues.Sequencer, gaps.Where(d => !_sent.ContainsKey((d.OrderId, d.Deadline))).ToList(),
            d => (d.OrderId, d.Deadline), now, cancellationToken);

        var acks = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.AckDeadline != null && o.AckDeadline <= DateTimeOffset.UtcNow && o.InFlightKciId != null && !o.Blocked)
            .OrderBy(o => o.AckDeadline)
            .Select(o => new AckTimeoutElapsed { OrderId = o.CorrelationId, KciId = o.InFlightKciId!.Value, Deadline = o.AckDeadline!.Value })
            .Take(500)
            .ToListAsync(cancellationToken);
        await SendAsync(KciQueues.SequencerControl, acks.Where(d => !_sent.ContainsKey((d.OrderId, d.Deadline))).ToList(),
            d => (d.OrderId, d.Deadline), now, cancellationToken);
    }

    private async Task SendAsync<T>(string queue, List<T> messages, Func<T, (Guid, DateTimeOffset)> key, DateTimeOffset now,
        CancellationToken cancellationToken) where T : class
    {
        if (messages.Count == 0)
            return;
        var endpoint = await _bus.GetSendEndpoint(KciQueues.Address(queue));
        await endpoint.SendBatch(messages, cancellationToken);
        foreach (var sent in messages)
            _sent[key(sent)] = now;
    }

    /// <summary>Moves every deadline due within the grace out to now + grace (the database's clock).</summary>
    private async Task DeferDueDeadlinesAsync(SequencerDb db, CancellationToken cancellationToken)
    {
        var grace = _options.CurrentValue.GraceAfterOutage;
        if (grace <= TimeSpan.Zero)
            return;
        var gaps = await db.Orders.Where(o => o.GapDeadline != null && o.GapDeadline < DateTimeOffset.UtcNow + grace)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.GapDeadline, o => DateTimeOffset.UtcNow + grace), cancellationToken);
        var acks = await db.Orders.Where(o => o.AckDeadline != null && o.AckDeadline < DateTimeOffset.UtcNow + grace)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.AckDeadline, o => DateTimeOffset.UtcNow + grace), cancellationToken);
        if (gaps + acks > 0)
            Log.DeadlinesDeferred(_logger, grace.TotalSeconds, gaps, acks);
    }
}
