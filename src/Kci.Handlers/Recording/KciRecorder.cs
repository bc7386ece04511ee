using Kci.Handlers.Notifications;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Recording;

/// <summary>
/// The one transaction every consumer runs, for a batch of released runs: for each KCI, the timeline row (the inbox: its key is
/// the KCI id), the order's state and the consumer's own effects, and for each run one <see cref="KciHandled"/> report to the
/// sequencer (through the outbox), commit together, or not at all. The batch reads what it needs in three statements, whatever
/// its size: which KCIs were handled before, the orders, and their open actions.
/// </summary>
/// <remarks>
/// The sequencer lets one run of an order reach Handlers at a time, so a batch holds runs of different orders; a run dispatched
/// again (its acknowledgement lost) may come twice, and the second copy takes the path of KCIs handled before. A run alone whose
/// transaction fails for good is applied again KCI by KCI: the KCIs before the failing one commit and are acknowledged, and the
/// sequencer sends the rest again, the failing KCI first, so that it faults alone.
/// </remarks>
public sealed class KciRecorder(HandlersDb db, TimeProvider clock, KciMetrics metrics, NotificationOutbox notifications, MessageTraces traces,
    ILogger<KciRecorder> logger)
{
    /// <summary>What a consumer adds for one KCI, in the same transaction; returns the action item the KCI opens, if any.</summary>
    public delegate ActionItem? Effects(ReleasedKci kci, KciFacts facts, HandlersDb db);

    /// <returns>The KCIs recorded now, with their facts; those handled before (redeliveries) were not repeated.</returns>
    public async Task<IReadOnlyList<(ReleasedKci Kci, KciFacts Facts)>> RecordAsync(IReadOnlyList<ReleasedRun> runs, string kind,
        Effects? effects, CancellationToken cancellationToken)
    {
        try
        {
            return await RecordWholeAsync(runs, kind, effects, cancellationToken);
        }
        catch (Exception ex) when (runs is [{ Kcis.Count: > 1 } run] && !TransientFaults.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            var (recorded, failed) = await RecordUntilFailureAsync(run.Kcis, traces.Of(run), kind, effects, cancellationToken);
            if (failed == 0)
                throw; // the run's first KCI fails: the run faults, and the sequencer blocks the order at it
            if (failed == run.Kcis.Count)
                return recorded; // every KCI went through on its own: the run is handled whole
            Log.RunStopped(logger, run.Kcis[0].Order.ToString(), run.Kcis[failed].KciId, ex.GetType().Name, failed);
            return recorded;
        }
    }

    private async Task<IReadOnlyList<(ReleasedKci, KciFacts)>> RecordWholeAsync(IReadOnlyList<ReleasedRun> runs, string kind,
        Effects? effects, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear(); // a retried or split batch starts from what is committed
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var batch = await LoadAsync([.. runs.SelectMany(r => r.Kcis)], cancellationToken);
        var recorded = new List<(ReleasedKci, KciFacts)>(runs.Count);
        foreach (var run in runs)
        {
            var recordedBefore = recorded.Count;
            foreach (var kci in run.Kcis)
                Record(kci, kind, effects, batch, recorded);
            Acknowledge(run.Kcis[^1], batch.Now, recorded.Count > recordedBefore, traces.Of(run));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Committed(recorded, kind);
        return recorded;
    }

    /// <summary>One run, KCI by KCI under savepoints, up to the first that fails; what came before commits with its report.</summary>
    /// <returns>The KCIs recorded, and how many of the run's KCIs were dealt with before the failing one.</returns>
    private async Task<(IReadOnlyList<(ReleasedKci, KciFacts)>, int Failed)> RecordUntilFailureAsync(IReadOnlyList<ReleasedKci> run,
        string? traceParent, string kind, Effects? effects, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var batch = await LoadAsync(run, cancellationToken);
        var recorded = new List<(ReleasedKci, KciFacts)>(run.Count);
        var done = 0;
        for (; done < run.Count; done++)
        {
            await transaction.CreateSavepointAsync("kci", cancellationToken);
            try
            {
                Record(run[done], kind, effects, batch, recorded);
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Exception ex) when (!TransientFaults.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                await transaction.RollbackToSavepointAsync("kci", cancellationToken);
                db.ChangeTracker.Clear(); // what the failing KCI added; what came before is saved
                if (recorded.Count > 0 && recorded[^1].Item1 == run[done])
                    recorded.RemoveAt(recorded.Count - 1);
                break;
            }
        }
        if (done == 0)
            return ([], 0);
        Acknowledge(run[done - 1], batch.Now, recordedNow: recorded.Count > 0, traceParent);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Committed(recorded, kind);
        return (recorded, done);
    }

    /// <summary>
    /// What a batch reads before it records: which of its KCIs were handled before, their orders, their open actions, and
    /// timeline positions for its KCIs, given out in the order they are handled.
    /// </summary>
    private sealed record BatchState(DateTimeOffset Now, HashSet<Guid> Handled, Dictionary<Guid, OrderState> Orders,
        Dictionary<Guid, List<ActionItem>> OpenActions, Queue<long> Positions);

    private const string TimelineTable = $"{HandlersDb.Schema}.timeline";

    private async Task<BatchState> LoadAsync(IReadOnlyList<ReleasedKci> kcis, CancellationToken cancellationToken)
    {
        var kciIds = kcis.Select(k => k.KciId).Distinct().ToList();
        var orderIds = kcis.Select(k => k.OrderId).Distinct().ToList();
        var handled = (await db.Timeline.Where(t => kciIds.Contains(t.KciId)).Select(t => t.KciId).ToListAsync(cancellationToken)).ToHashSet();
        var orders = await db.Orders.Where(o => orderIds.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, cancellationToken);
        var openActions = (await db.Actions.Where(a => orderIds.Contains(a.OrderId) && a.Open).ToListAsync(cancellationToken))
            .GroupBy(a => a.OrderId).ToDictionary(g => g.Key, g => g.ToList());
        var wanted = kciIds.Count - handled.Count;
        var positions = wanted == 0 ? [] : await db.Database.SqlQuery<long>($"""
            SELECT nextval(pg_get_serial_sequence({TimelineTable}, 'position')) AS "Value" FROM generate_series(1, {wanted})
            """).ToListAsync(cancellationToken);
        positions.Sort();
        return new BatchState(clock.GetUtcNow(), handled, orders, openActions, new Queue<long>(positions));
    }

    /// <summary>Records one KCI, unless it was handled before (then nothing is repeated).</summary>
    private void Record(ReleasedKci kci, string kind, Effects? effects, BatchState batch, List<(ReleasedKci, KciFacts)> recorded)
    {
        // In the trace of the KCI's own arrival, whichever run and batch it came in.
        using var span = KciTracing.StartUnder("handle kci", System.Diagnostics.ActivityKind.Internal, kci.TraceParent);
        span?.SetTag("kci.id", kci.KciId.ToString());
        span?.SetTag("kci.sequence_number", kci.SequenceNumber);
        span?.SetTag("kci.kind", kind);
        if (!batch.Handled.Add(kci.KciId))
        {
            // Handled before: nothing is repeated, but the sequencer hears of its run again. It dispatched the run again because
            // the first acknowledgement never reached it (lost, dead-lettered, stuck), and the order moves on only with one.
            Log.AlreadyHandled(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString());
            return;
        }
        var now = batch.Now;
        var facts = KciFacts.Parse(kci.Body);
        if (!batch.Orders.TryGetValue(kci.OrderId, out var order))
        {
            order = new OrderState
            {
                OrderId = kci.OrderId,
                EntityType = kci.Order.EntityType,
                EntityId = kci.Order.EntityId,
                Supplier = kci.Supplier,
                CreatedAt = now,
            };
            db.Orders.Add(order);
            batch.Orders.Add(order.OrderId, order);
        }
        if (!batch.OpenActions.TryGetValue(kci.OrderId, out var openActions))
            batch.OpenActions.Add(kci.OrderId, openActions = []);
        Record(kci, kind, facts, order, kci.Late ? [] : [.. openActions.Where(a => a.Open)], batch.Positions.Dequeue(), now);
        if (effects?.Invoke(kci, facts, db) is { } opened)
        {
            db.Actions.Add(opened);
            openActions.Add(opened); // a later KCI of the same run may deal with it
        }
        notifications.Enqueue(db, kci, facts, order, now);
        recorded.Add((kci, facts));
    }

    private void Committed(List<(ReleasedKci, KciFacts)> recorded, string kind)
    {
        var now = clock.GetUtcNow();
        foreach (var (kci, facts) in recorded)
        {
            Log.Handled(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), kind, kci.ConversationId);
            var supplier = metrics.Supplier(kci.Supplier);
            var entityType = metrics.EntityType(kci.Order.EntityType);
            metrics.Handled.Add(1, supplier, entityType, new KeyValuePair<string, object?>("kind", kind));
            if (kci.Late)
                metrics.Late.Add(1, supplier, entityType);
            if (facts.DeliveredOn is { } deliveredOn)
                metrics.EndToEnd.Record(Math.Max(0, (now - deliveredOn).TotalSeconds), supplier, entityType);
        }
    }

    /// <summary>The order's state, the timeline row, and the open actions this KCI shows were dealt with.</summary>
    private void Record(ReleasedKci kci, string kind, KciFacts facts, OrderState order, IReadOnlyList<ActionItem> openActions, long position,
        DateTimeOffset now)
    {
        // The entity is always the full latest version: apply it only when it is newer than what we hold,
        // so a late KCI is recorded but never makes the order go back.
        if (!kci.Late && kci.SequenceNumber > order.LastAppliedSequence)
            OrderStateRules.Apply(order, kci, facts, now);
        order.LastConversationId = kci.ConversationId;
        order.UpdatedAt = now;

        db.Timeline.Add(new TimelineEntry
        {
            KciId = kci.KciId,
            Position = position,
            OrderId = kci.OrderId,
            SequenceNumber = kci.SequenceNumber,
            UpdateType = kci.UpdateType,
            PayloadType = kci.PayloadType ?? facts.PayloadType,
            Code = facts.Code,
            Text = facts.Text,
            IssuedOn = facts.IssuedOn,
            ReceivedOn = facts.ReceivedOn,
            DeliveredOn = facts.DeliveredOn,
            ReceivedAt = kci.ReceivedAt,
            HandledAt = now,
            Late = kci.Late,
            SequenceConflict = kci.SequenceConflict,
            GapBefore = kci.GapBefore,
            Kind = kind,
            SupplierNotes = facts.SupplierNotes,
            ConversationId = kci.ConversationId,
            RequestId = kci.RequestId,
            Body = kci.Body,
            RecoveredFrom = kci.RecoveredFrom,
        });

        // A later KCI may show that an open action was dealt with.
        foreach (var (action, resolution) in ActionRules.ResolvedByKci(openActions, kci, facts))
        {
            ActionRules.Resolve(action, "kci", resolution, now, kci.KciId);
            Log.ActionResolved(logger, action.Id, action.Type, kci.Order.ToString(), "kci", resolution);
        }
    }

    /// <summary>
    /// The <see cref="KciHandled"/> that lets the order's next run go, through the outbox of this transaction: it names
    /// <paramref name="last"/>, the last KCI of the run committed. A report for a run handled before gets an id of its own.
    /// </summary>
    private void Acknowledge(ReleasedKci last, DateTimeOffset now, bool recordedNow, string? traceParent) =>
        db.Enqueue(KciQueues.SequencerControl,
            new KciHandled { KciId = last.KciId, OrderId = last.OrderId, SequenceNumber = last.SequenceNumber, HandledAt = now },
            NameBasedGuid.Create(recordedNow ? $"handled:{last.KciId}" : $"handled:{last.KciId}:again:{last.ReleasedAt.UtcTicks}"),
            correlationId: last.OrderId,
            conversationId: NameBasedGuid.ForConversation(last.ConversationId),
            traceParent: traceParent); // the trace of the run's message: the order's next release follows in it
}
