using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using Kci.Sequencer.Persistence;
using Microsoft.Extensions.Logging;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// Turns a <see cref="SequencingOutcome"/> into outbox rows in the saga's own transaction, so a release
/// is sent if and only if the state change that made it commits.
/// </summary>
public sealed class OutcomeDispatcher(KciMetrics metrics, ILogger<OutcomeDispatcher> logger)
{
    public void Dispatch(SequencerDb db, OrderSequence order, SequencingOutcome outcome, DateTimeOffset now)
    {
        var orderKey = new OrderKey { EntityType = order.EntityType, EntityId = order.EntityId };
        foreach (var gap in outcome.Gaps)
        {
            metrics.Gaps.Add(gap.Count, metrics.EntityType(order.EntityType));
            Log.GapSkipped(logger, orderKey.ToString(), gap.From, gap.To, order.ConversationId);
            db.Enqueue(KciQueues.Gaps, new SequenceGapSkipped
            {
                OrderId = order.CorrelationId, Order = orderKey, From = gap.From, To = gap.To, SkippedAt = now, ConversationId = order.ConversationId,
            }, NameBasedGuid.Create($"gap:{order.CorrelationId}:{gap.From}"), order.CorrelationId);
        }

        if (outcome.BecameParked)
            Log.Parked(logger, orderKey.ToString(), order.Kcis.Count(k => k.Status == KciStatus.Held));

        if (outcome.Released.Count == 0)
            return;
        var run = outcome.Released.Select(kci => new ReleasedKci
        {
            KciId = kci.KciId,
            OrderId = order.CorrelationId,
            Order = orderKey,
            SequenceNumber = kci.SequenceNumber,
            Supplier = order.Supplier,
            UpdateType = kci.UpdateType,
            PayloadType = kci.PayloadType,
            ConversationId = kci.ConversationId,
            RequestId = kci.RequestId,
            ReceivedAt = kci.ReceivedAt,
            ReleasedAt = now,
            Late = kci.Late,
            SequenceConflict = kci.SequenceConflict,
            GapBefore = kci.GapBefore,
            RecoveredFrom = kci.RecoveredFrom,
            TraceParent = kci.TraceParent,
            Body = kci.Body ?? throw new InvalidOperationException($"KCI {kci.KciId} has no body to release"),
        }).ToList();
        var (queue, message) = ReleaseRoute.For(run);
        var first = outcome.Released[0];
        var messageId = NameBasedGuid.Create($"release:{first.KciId}:{first.ReleaseCount}");
        var conversationId = NameBasedGuid.ForConversation(first.ConversationId);
        // A run whose first KCI fails for good comes back to the saga as a Fault<T>, and blocks the order.
        // The run travels in the trace of its first KCI's arrival, however late it is released (the others carry their own).
        db.Enqueue(queue, message, messageId, order.CorrelationId, conversationId, faultQueue: KciQueues.SequencerControl,
            traceParent: first.TraceParent);

        var entityType = metrics.EntityType(order.EntityType);
        metrics.Released.Add(run.Count, entityType);
        foreach (var kci in outcome.Released)
        {
            if (!outcome.IsRedispatch && kci.ReleaseCount == 1)
                metrics.Hold.Record(Math.Max(0, (now - kci.ReceivedAt).TotalSeconds), entityType);
            if (kci.SequenceConflict)
                Log.SequenceConflict(logger, kci.KciId, kci.SequenceNumber, orderKey.ToString(), kci.ConversationId);
            Log.Released(logger, kci.KciId, kci.SequenceNumber, orderKey.ToString(), kci.ConversationId, kci.Late, kci.GapBefore);
        }
    }
}
