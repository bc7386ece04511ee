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
/// The one transaction every consumer runs: the timeline row (the inbox: its key is the KCI id), the
/// order's state, the consumer's own effects and the <see cref="KciHandled"/> report to the sequencer
/// (through the outbox) commit together, or not at all.
/// </summary>
public sealed class KciRecorder(HandlersDb db, TimeProvider clock, KciMetrics metrics, NotificationOutbox notifications, ILogger<KciRecorder> logger)
{
    /// <returns>false when the KCI had been handled already (a redelivery): nothing was repeated.</returns>
    public async Task<bool> RecordAsync(ReleasedKci kci, string kind, Func<KciFacts, OrderState, HandlersDb, Task>? effects,
        CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var (handledBefore, hasOpenActions) = await ReadGateAsync(kci, cancellationToken);
        if (handledBefore)
        {
            // Handled before: nothing is repeated, but the sequencer hears it again. It dispatched the KCI again because
            // the first acknowledgement never reached it (lost, dead-lettered, stuck), and the order moves on only with one.
            Log.AlreadyHandled(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString());
            Acknowledge(kci, now, $"handled:{kci.KciId}:again:{kci.ReleasedAt.UtcTicks}");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return false;
        }

        var facts = KciFacts.Parse(kci.Body);
        var order = await db.Orders.FindAsync([kci.OrderId], cancellationToken);
        if (order is null)
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
        }

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
        var openActions = hasOpenActions && !kci.Late
            ? await db.Actions.Where(a => a.OrderId == kci.OrderId && a.Open).ToListAsync(cancellationToken)
            : [];
        foreach (var (action, resolution) in ActionRules.ResolvedByKci(openActions, kci, facts))
        {
            ActionRules.Resolve(action, "kci", resolution, now, kci.KciId);
            Log.ActionResolved(logger, action.Id, action.Type, kci.Order.ToString(), "kci", resolution);
        }

        if (effects is not null)
            await effects(facts, order, db);
        notifications.Enqueue(db, kci, facts, order, now);

        Acknowledge(kci, now, $"handled:{kci.KciId}");

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.Handled.Add(1);
        Log.Handled(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), kind, kci.ConversationId);
        return true;
    }

    /// <summary>
    /// The inbox gate (was this KCI handled before?) and whether its order has open actions a later KCI may resolve, in one
    /// round trip: most orders have none, and the read of their actions was the costliest statement of the hot path.
    /// </summary>
    private async Task<(bool HandledBefore, bool HasOpenActions)> ReadGateAsync(ReleasedKci kci, CancellationToken cancellationToken)
    {
        var gate = await db.Database.SqlQuery<InboxGate>($"""
            SELECT EXISTS (SELECT 1 FROM handlers.timeline WHERE kci_id = {kci.KciId}) AS handled_before,
                   EXISTS (SELECT 1 FROM handlers.action_items WHERE order_id = {kci.OrderId} AND open) AS has_open_actions
            """).SingleAsync(cancellationToken);
        return (gate.HandledBefore, gate.HasOpenActions);
    }

    private sealed record InboxGate(bool HandledBefore, bool HasOpenActions);

    /// <summary>The <see cref="KciHandled"/> that lets the order's next KCI go, through the outbox of this transaction.</summary>
    private void Acknowledge(ReleasedKci kci, DateTimeOffset now, string messageKey) =>
        db.Enqueue(KciQueues.SequencerControl,
            new KciHandled { KciId = kci.KciId, OrderId = kci.OrderId, SequenceNumber = kci.SequenceNumber, HandledAt = now },
            NameBasedGuid.Create(messageKey),
            correlationId: kci.OrderId,
            conversationId: NameBasedGuid.ForConversation(kci.ConversationId));
}
