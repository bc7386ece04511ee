using System.Text.Json;
using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Messages;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.Notifications;

/// <summary>Writes one delivery per interested subscriber, in the KCI's own transaction.</summary>
public sealed class NotificationOutbox(IOptionsMonitor<NotificationOptions> options)
{
    public void Enqueue(HandlersDb db, ReleasedKci kci, KciFacts facts, OrderState order, DateTimeOffset now)
    {
        var subscriptions = options.CurrentValue.Subscriptions.Where(s => s.Wants(kci.UpdateType)).ToList();
        if (subscriptions.Count == 0)
            return;

        // Compact and free of contact data: the subscriber reads the rest from the operations API.
        var payload = JsonSerializer.Serialize(new
        {
            kciId = kci.KciId,
            entityType = kci.Order.EntityType,
            entityId = kci.Order.EntityId,
            sequenceNumber = kci.SequenceNumber,
            updateType = kci.UpdateType,
            payloadType = facts.PayloadType,
            code = facts.Code,
            orderStatus = order.Status,
            late = kci.Late,
            handledAt = now,
        }, JsonSerializerOptions.Web);
        foreach (var subscription in subscriptions)
        {
            db.Notifications.Add(new NotificationDelivery
            {
                Subscription = subscription.Name,
                KciId = kci.KciId,
                Payload = payload,
                State = "pending", // created_at and next_attempt_at: the database's now()
            });
        }
    }
}
