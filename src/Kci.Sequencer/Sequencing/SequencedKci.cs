namespace Kci.Sequencer.Sequencing;

public enum KciStatus
{
    Held = 0,
    Released = 1,
    Handled = 2,
    Failed = 3,
    Skipped = 4,

    /// <summary>Its <c>KciReceived</c> faulted for good and lies in a dead-letter queue: a placeholder that holds its number.</summary>
    DeadLettered = 5,
}

/// <summary>A KCI as the sequencer knows it. Its id is unique: the same KCI again has no effect.</summary>
public sealed class SequencedKci
{
    public Guid KciId { get; set; }
    public Guid OrderId { get; set; }
    public long SequenceNumber { get; set; }

    /// <summary>Arrival order at the saga; held KCIs with one number go by ingress time (ReceivedAt), then by this.</summary>
    public int Arrival { get; set; }

    public KciStatus Status { get; set; }
    public required string UpdateType { get; set; }
    public string? PayloadType { get; set; }
    public required string ConversationId { get; set; }
    public required string RequestId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ReleasedAt { get; set; }
    public DateTimeOffset? HandledAt { get; set; }
    public int ReleaseCount { get; set; }
    public bool Late { get; set; }
    public bool SequenceConflict { get; set; }
    public long GapBefore { get; set; }

    /// <summary>Kept until Handlers reported the KCI handled; Handlers keep their own copy.</summary>
    public string? Body { get; set; }

    /// <summary>The gateway's order read it was recovered from to fill a gap (null: the gateway delivered it).</summary>
    public string? RecoveredFrom { get; set; }

    /// <summary>The trace its arrival belongs to (a W3C trace context, when tracing is on), so its release joins it later.</summary>
    public string? TraceParent { get; set; }
}
