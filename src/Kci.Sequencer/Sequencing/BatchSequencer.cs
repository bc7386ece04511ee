using System.Data;
using Microsoft.EntityFrameworkCore;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using Kci.Sequencer.Persistence;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// The hot path of the sequencer: new KCIs and acknowledgements, as many as the queue offers at once, in one transaction.
/// It locks every order the batch touches in one sorted statement (<see cref="OrderSequenceLoader.LockAndLoadManyAsync"/>),
/// applies the same <see cref="Resequencer"/> rules as the saga, one message after another in the batch's order, and commits
/// the orders, their KCIs and the outbox rows of every release together.
/// </summary>
/// <remarks>Scoped: one instance, and one <see cref="SequencerDb"/>, per batch.</remarks>
public sealed class BatchSequencer(SequencerDb db, OrderSequenceLoader loader, OutcomeDispatcher dispatcher,
    IOptionsMonitor<SequencerOptions> options, MessageTraces traces, ILogger<BatchSequencer> logger)
{
    /// <summary>
    /// KCIs arrived: each is held, and whatever may go now is released. An order's KCIs in the batch are accepted together,
    /// so those due one after another leave as one run.
    /// </summary>
    public Task AcceptAsync(IReadOnlyList<KciReceived> kcis, CancellationToken cancellationToken) =>
        RunAsync(kcis.Select(k => k.OrderId), [.. kcis.Select(k => Resequencer.Start(k, default))], (orders, now) =>
        {
            foreach (var arrived in kcis.GroupBy(k => k.OrderId))
            {
                var order = orders[arrived.Key];
                var outcome = Resequencer.Accept(order, [.. arrived], now, options.CurrentValue);
                foreach (var kci in arrived)
                {
                    if (!outcome.DuplicateKciIds.Contains(kci.KciId) && order.Kcis.Find(k => k.KciId == kci.KciId) is { TraceParent: null } kept)
                        kept.TraceParent = traces.Of(kci); // before the dispatch below: its release joins the trace it arrived in
                    if (outcome.DuplicateKciIds.Contains(kci.KciId))
                        Log.Duplicate(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), kci.RequestId);
                    else if (order.Kcis.Find(k => k.KciId == kci.KciId) is { Status: KciStatus.Held } held)
                        Log.Held(logger, held.KciId, held.SequenceNumber, kci.Order.ToString(), order.NextSequence, held.ConversationId);
                }
                Apply(order, outcome, now);
            }
        }, cancellationToken);

    /// <summary>Handlers reported runs handled: the next run of each of their orders may go.</summary>
    public Task HandledAsync(IReadOnlyList<KciHandled> reports, CancellationToken cancellationToken) =>
        RunAsync(reports.Select(r => r.OrderId), [], (orders, now) =>
        {
            foreach (var report in reports)
            {
                // An order that is gone, or never was: nothing waits for this report.
                if (!orders.TryGetValue(report.OrderId, out var order))
                    continue;
                var outcome = Resequencer.Handled(order, report.KciId, report.HandledAt, now, options.CurrentValue);
                if (outcome.IsRedispatch)
                    Log.RunResumed(logger, report.KciId, outcome.Released[0].KciId, $"{order.EntityType}/{order.EntityId}", order.ConversationId);
                Apply(order, outcome, now);
            }
        }, cancellationToken);

    private void Apply(OrderSequence order, SequencingOutcome outcome, DateTimeOffset now)
    {
        dispatcher.Dispatch(db, order, outcome, now);
        order.Settle();
    }

    private async Task RunAsync(IEnumerable<Guid> orderIds, IReadOnlyCollection<OrderSequence> starts,
        Action<Dictionary<Guid, OrderSequence>, DateTimeOffset> apply, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear(); // a retried or split batch starts from what is committed
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var (orders, now) = await loader.LockAndLoadManyAsync(db, starts, [.. orderIds], cancellationToken);
        apply(orders, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
