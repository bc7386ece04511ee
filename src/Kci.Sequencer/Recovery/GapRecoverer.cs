using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Resilience;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using Kci.Sequencer.Persistence;
using Kci.Sequencer.Sequencing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Recovery;

/// <summary>
/// Fills gaps from the gateway's order read (docs/gap-recovery.md). An order that waits on a missing number carries
/// <c>recovery_due</c> (<see cref="SequencerOptions.GapRecoveryAfter"/> after its gap clock started, or now when an operator
/// asked). Each round takes the due orders, claims each one by moving its <c>recovery_due</c> on (so one instance reads it,
/// and the next attempt waits another <see cref="SequencerOptions.GapRecoveryAfter"/>), reads the order from the gateway, and
/// sends every missing number found there into the pipeline as a <see cref="KciReceived"/> marked with where it came from.
/// The saga then releases it in its place, and ignores it if the gateway delivered it meanwhile (the same KCI id). A gateway
/// that is down, or answers 404 or 5xx, changes nothing: the gap timeout applies as it would without recovery.
/// </summary>
public sealed class GapRecoverer : RepeatingService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IBus _bus;
    private readonly IOptionsMonitor<SequencerOptions> _sequencer;
    private readonly GatewayOptions _gateway;
    private readonly DatabaseGate _gate;
    private readonly EndpointMonitor _endpoints;
    private readonly KciMetrics _metrics;
    private readonly ILogger<GapRecoverer> _logger;

    public GapRecoverer(IServiceScopeFactory scopes, IBus bus, TimeProvider clock, IOptionsMonitor<SequencerOptions> sequencer,
        IOptions<GatewayOptions> gateway, DatabaseGate gate, EndpointMonitor endpoints, KciMetrics metrics, ILogger<GapRecoverer> logger)
        : base(clock, logger, gate)
    {
        _scopes = scopes;
        _bus = bus;
        _sequencer = sequencer;
        _gateway = gateway.Value;
        _gate = gate;
        _endpoints = endpoints;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Missing numbers asked for per order and read at most.</summary>
    private const int MaxNumbersPerRead = 500;

    private const int MaxOrdersPerRound = 100;

    protected override TimeSpan Interval => _sequencer.CurrentValue.SweepInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_gateway.IsConfigured)
        {
            Log.GapRecoveryOff(_logger);
            return;
        }
        Log.GapRecoveryOn(_logger, _sequencer.CurrentValue.GapRecoveryAfterFor("").TotalSeconds, _gateway.BaseAddress());
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // What is missing may still be in our own queues while the Sequencer cannot consume them: wait until it can.
        if (!_gate.IsOpen || !_endpoints.Consuming)
            return;
        List<DueOrder> due;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SequencerDb>();
            due = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
                .Where(o => o.RecoveryDue != null && o.RecoveryDue <= DateTimeOffset.UtcNow && o.GapDeadline != null) // the database's now()
                .OrderBy(o => o.RecoveryDue)
                .Select(o => new DueOrder(o.CorrelationId, o.RecoveryDue!.Value, o.Supplier))
                .Take(MaxOrdersPerRound)
                .ToListAsync(cancellationToken);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = _gateway.Parallelism, CancellationToken = cancellationToken },
            async (order, token) => await RecoverAsync(order, token));
    }

    private sealed record DueOrder(Guid OrderId, DateTimeOffset RecoveryDue, string Supplier);

    private async Task RecoverAsync(DueOrder due, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SequencerDb>();

        // Claim: only the instance that moves recovery_due on reads this order now. The saga may have changed the order
        // meanwhile (the gap filled or timed out): then the claim finds nothing.
        var after = _sequencer.CurrentValue.GapRecoveryAfterFor(due.Supplier);
        var claimed = await db.Orders
            .Where(o => o.CorrelationId == due.OrderId && o.RecoveryDue == due.RecoveryDue && o.GapDeadline != null)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.RecoveryDue, o => DateTimeOffset.UtcNow + after), cancellationToken);
        if (claimed == 0)
            return;

        var order = await db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.CorrelationId == due.OrderId)
            .Select(o => new { o.EntityType, o.EntityId, o.ConversationId, o.NextSequence, o.SkipThrough })
            .SingleOrDefaultAsync(cancellationToken);
        if (order is null)
            return;
        var kcis = await db.Kcis.AsNoTracking().Where(k => k.OrderId == due.OrderId)
            .Select(k => new { k.KciId, k.SequenceNumber, k.Status }).ToListAsync(cancellationToken);
        var missing = Resequencer.MissingNumbers(order.NextSequence, order.SkipThrough,
            kcis.Select(k => (k.SequenceNumber, k.Status)).ToList(), MaxNumbersPerRead);
        if (missing.Count == 0)
            return;

        var orderKey = $"{order.EntityType}/{order.EntityId}";
        var conversationId = order.ConversationId ?? $"gap-recovery-{due.OrderId}";
        var requestId = Guid.NewGuid().ToString();
        var client = scope.ServiceProvider.GetRequiredService<GatewayClient>();
        var read = await client.ReadAsync(order.EntityType, order.EntityId, conversationId, requestId, cancellationToken);
        switch (read)
        {
            case GatewayRead.Found found:
                using (found.Order)
                {
                    _metrics.GatewayReads.Add(1, new KeyValuePair<string, object?>("outcome", "found"));
                    var (recovered, refused) = RecoveredKcis.From(found.Order.RootElement, order.EntityType, order.EntityId, missing.ToHashSet(),
                        kcis.Select(k => k.KciId).ToHashSet(), _gateway.MaxKciBodyBytes);
                    foreach (var update in refused)
                        Log.RecoveredUpdateRefused(_logger, read.Source, orderKey, update.SequenceNumber, update.Problems, requestId, conversationId);
                    await SendAsync(due.OrderId, recovered, read.Source, conversationId, requestId, cancellationToken);
                    foreach (var kci in recovered)
                        Log.Recovered(_logger, kci.Kci.Id, kci.Kci.SequenceNumber, orderKey, read.Source, requestId, conversationId);
                    _metrics.Recovered.Add(recovered.Count);
                    var left = missing.Except(recovered.Select(r => r.Kci.SequenceNumber)).ToList();
                    if (left.Count > 0)
                        Log.NotRecovered(_logger, read.Source, orderKey, left.Count, left[0], left[^1], requestId, conversationId);
                }
                break;
            case GatewayRead.NotFound:
                _metrics.GatewayReads.Add(1, new KeyValuePair<string, object?>("outcome", "not_found"));
                Log.GatewayReadFailed(_logger, orderKey, read.Source, "404: the gateway does not know the order", requestId, conversationId);
                break;
            case GatewayRead.Unavailable unavailable:
                _metrics.GatewayReads.Add(1, new KeyValuePair<string, object?>("outcome", "unavailable"));
                Log.GatewayReadFailed(_logger, orderKey, read.Source, unavailable.Reason, requestId, conversationId);
                break;
            default:
                _metrics.GatewayReads.Add(1, new KeyValuePair<string, object?>("outcome", "no_read"));
                Log.GatewayReadFailed(_logger, orderKey, read.Source, "no read of the Tenant API serves this entity type", requestId, conversationId);
                break;
        }
    }

    /// <summary>Into the Sequencer's own queue, as the ingress sends a delivery (<see cref="KciReceivedSend"/>).</summary>
    private async Task SendAsync(Guid orderId, List<RecoveredKci> recovered, string source, string conversationId, string requestId,
        CancellationToken cancellationToken)
    {
        if (recovered.Count == 0)
            return;
        var now = Clock.GetUtcNow();
        foreach (var kci in recovered)
        {
            await _bus.SendKciAsync(new KciReceived
            {
                KciId = kci.Kci.Id,
                OrderId = orderId,
                Order = kci.Kci.Order,
                SequenceNumber = kci.Kci.SequenceNumber,
                Supplier = kci.Kci.Supplier,
                UpdateType = kci.Kci.UpdateType,
                PayloadType = kci.Kci.PayloadType,
                ConversationId = conversationId,
                RequestId = requestId,
                ReceivedAt = now,
                Body = kci.Body,
                RecoveredFrom = source,
            }, cancellationToken);
        }
    }
}
