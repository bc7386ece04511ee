namespace Kci.Handlers.Persistence;

/// <summary>What we know of an order: its latest entity and milestones, from the KCIs handled in order.</summary>
public sealed class OrderState
{
    public Guid OrderId { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public required string Supplier { get; set; }
    public string? SupplierOrderNumber { get; set; }
    public string? Status { get; set; }
    public DateTimeOffset? CommittedDate { get; set; }
    public DateTimeOffset? TargetDate { get; set; }

    /// <summary>The booked appointment slot, when the order has one.</summary>
    public DateTimeOffset? AppointmentStart { get; set; }

    public DateTimeOffset? AppointmentEnd { get; set; }

    /// <summary>The latest full entity as JSON (the gateway always sends the whole order).</summary>
    public string? Entity { get; set; }

    /// <summary>The highest sequence number applied; a lower one (late) never changes the state.</summary>
    public long LastAppliedSequence { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? CommittedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? LastConversationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the retention job removed the order's KCI bodies and contact details (null: not yet).</summary>
    public DateTimeOffset? RedactedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
