using Kci.Handlers.Persistence;
using Kci.Messages;

namespace Kci.Handlers.Recording;

/// <summary>How a KCI, applied in order, changes what we know of its order.</summary>
public static class OrderStateRules
{
    public static void Apply(OrderState order, ReleasedKci kci, KciFacts facts, DateTimeOffset now)
    {
        order.LastAppliedSequence = kci.SequenceNumber;
        order.Supplier = kci.Supplier;
        order.Entity = facts.Entity ?? order.Entity;
        order.Status = facts.EntityStatus ?? order.Status;
        order.SupplierOrderNumber = facts.SupplierOrderNumber ?? order.SupplierOrderNumber;
        order.CommittedDate = facts.CommittedDate ?? order.CommittedDate;
        order.TargetDate = facts.TargetDate ?? order.TargetDate;
        order.AppointmentStart = facts.AppointmentStart ?? order.AppointmentStart;
        order.AppointmentEnd = facts.AppointmentEnd ?? order.AppointmentEnd;

        if (kci.UpdateType != "INFORMATIONAL")
            return;
        // KCI1, KCI2 and KCI3 in UK wholesale terms (spec README, "Who calls whom").
        var at = facts.IssuedOn ?? facts.DeliveredOn ?? now;
        switch (facts.PayloadType)
        {
            case "ACKNOWLEDGED": order.AcknowledgedAt ??= at; break;
            case "COMMITTED": order.CommittedAt ??= at; break;
            case "COMPLETED": order.CompletedAt ??= at; break;
        }
    }
}
