namespace Kci.Handlers.Persistence;

/// <summary>
/// One handled KCI. Its id is the primary key, which makes this table the consumers' inbox: a redelivered
/// message finds its row and repeats nothing.
/// </summary>
public sealed class TimelineEntry
{
    public Guid KciId { get; set; }

    /// <summary>
    /// Handling order across the whole system (from the identity's sequence; Handlers take a batch's numbers at once and give
    /// them out in the order they handle the KCIs), so an order's timeline reads as handled, a run's KCIs included.
    /// </summary>
    public long Position { get; set; }

    public Guid OrderId { get; set; }
    public long SequenceNumber { get; set; }
    public required string UpdateType { get; set; }
    public string? PayloadType { get; set; }
    public string? Code { get; set; }
    public string? Text { get; set; }
    public DateTimeOffset? IssuedOn { get; set; }
    public DateTimeOffset? ReceivedOn { get; set; }
    public DateTimeOffset? DeliveredOn { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset HandledAt { get; set; }
    public bool Late { get; set; }
    public bool SequenceConflict { get; set; }
    public long GapBefore { get; set; }

    /// <summary>The consumer that handled it: informational, action-required, error or unrecognised.</summary>
    public required string Kind { get; set; }

    public string? SupplierNotes { get; set; }
    public required string ConversationId { get; set; }
    public required string RequestId { get; set; }

    /// <summary>The KCI as the gateway sent it, kept whole; null once the retention job removed it (Retention:ClosedOrderBodies).</summary>
    public string? Body { get; set; }

    /// <summary>The gateway's order read it was recovered from to fill a gap (null: the gateway delivered it).</summary>
    public string? RecoveredFrom { get; set; }
}
