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
/// The one transaction every consumer runs, for a batch of released KCIs: for each, the timeline row (the inbox: its key is the
/// KCI id), the order's state, the consumer's own effects and the <see cref="KciHandled"/> report to the sequencer (through the
/// outbox) commit together, or not at all. The batch reads what it needs in three statements, whatever its size: which KCIs were
/// handled before, the orders, and their open actions.
/// </summary>
/// <remarks>
/// The sequencer lets one KCI of an order reach Handlers at a time, so a batch holds KCIs of different orders; a KCI dispatched
/// again (its acknowledgement lost) may come twice, and the second copy takes the path of a KCI handled before.
/// </remarks>
public sealed class KciRecorder(HandlersDb db, TimeProvider clock, KciMetrics metrics, NotificationOutbox notifications, ILogger<KciRecorder> logger)
{
    /// <summary>What a consumer adds for one KCI, in the same transaction.</summary>
    public delegate void Effects(ReleasedKci kci, KciFacts facts, HandlersDb db);

    /// <returns>The KCIs recorded now, with their facts; those handled before (redeliveries) were not repeated.</returns>
    public async Task<IReadOnlyList<(ReleasedKci Kci, KciFacts Facts)>> RecordAsync(IReadOnlyList<ReleasedKci> kcis, string kind,
        Effects? effects, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear(); // a retried or split batch starts from what is committed
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var kciIds = kcis.Select(k => k.KciId).Distinct().ToList();
        var orderIds = kcis.Select(k => k.OrderId).Distinct().ToList();
        var handled = (await db.Timeline.Where(t => kciIds.Contains(t.KciId)).Select(t => t.KciId).ToListAsync(cancellationToken)).ToHashSet();
        var orders = await db.Orders.Where(o => orderIds.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, cancellationToken);
        var openActions = (await db.Actions.Where(a => orderIds.Contains(a.OrderId) && a.Open).ToListAsync(cancellationToken))
            .ToLookup(a => a.OrderId);

        var recorded = new List<(ReleasedKci, KciFacts)>(kcis.Count);
        foreach (var kci in kcis)
        {
            if (!handled.Add(kci.KciId))
            {
                // Handled before: nothing is repeated, but the sequencer hears it again. It dispatched the KCI again because the
                // first acknowledgement never reached it (lost, dead-lettered, stuck), and the order moves on only with one.
                Log.AlreadyHandled(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString());
                Acknowledge(kci, now, $"handled:{kci.KciId}:again:{kci.ReleasedAt.UtcTicks}");
                continue;
            }
            var facts = KciFacts.Parse(kci.Body);
            if (!orders.TryGetValue(kci.OrderId, out var order))
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
                orders.Add(order.OrderId, order);
            }
            Record(kci, kind, facts, order, kci.Late ? [] : [.. openActions[kci.OrderId].Where(a => a.Open)], now);
            effects?.Invoke(kci, facts, db);
            notifications.Enqueue(db, kci, facts, order, now);
            Acknowledge(kci, now, $"handled:{kci.KciId}");
            recorded.Add((kci, facts));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.Handled.Add(recorded.Count);
        foreach (var (kci, _) in recorded)
            Log.Handled(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), kind, kci.ConversationId);
        return recorded;
    }

    /// <summary>The order's state, the timeline row, and the open actions this KCI shows were dealt with.</summary>
    private void Record(ReleasedKci kci, string kind, KciFacts facts, OrderState order, IReadOnlyList<ActionItem> openActions, DateTimeOffset now)
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
        });

        // A later KCI may show that an open action was dealt with.
        foreach (var (action, resolution) in ActionRules.ResolvedByKci(openActions, kci, facts))
        {
            ActionRules.Resolve(action, "kci", resolution, now, kci.KciId);
            Log.ActionResolved(logger, action.Id, action.Type, kci.Order.ToString(), "kci", resolution);
        }
    }

    /// <summary>The <see cref="KciHandled"/> that lets the order's next KCI go, through the outbox of this transaction.</summary>
    private void Acknowledge(ReleasedKci kci, DateTimeOffset now, string messageKey) =>
        db.Enqueue(KciQueues.SequencerControl,
            new KciHandled { KciId = kci.KciId, OrderId = kci.OrderId, SequenceNumber = kci.SequenceNumber, HandledAt = now },
            NameBasedGuid.Create(messageKey),
            correlationId: kci.OrderId,
            conversationId: NameBasedGuid.ForConversation(kci.ConversationId));
}
