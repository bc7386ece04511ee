namespace Kci.Messages;

/// <summary>A KCI the sequencer released, in sequence order, for Handlers to act on.</summary>
public sealed record ReleasedKci
{
    public required Guid KciId { get; init; }
    public required Guid OrderId { get; init; }
    public required OrderKey Order { get; init; }
    public required long SequenceNumber { get; init; }
    public required string Supplier { get; init; }
    public required string UpdateType { get; init; }
    public string? PayloadType { get; init; }
    public required string ConversationId { get; init; }
    public required string RequestId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset ReleasedAt { get; init; }

    /// <summary>Its number had already been skipped as a gap: record it, but do not let it regress the order.</summary>
    public bool Late { get; init; }

    /// <summary>Another KCI id carried the same number and was released first.</summary>
    public bool SequenceConflict { get; init; }

    /// <summary>How many numbers right before this one were skipped as a gap (0 when none).</summary>
    public long GapBefore { get; init; }

    /// <summary>The request body as the gateway sent it.</summary>
    public required string Body { get; init; }

    /// <summary>Recovered from the gateway's order read to fill a gap (see <see cref="KciReceived.RecoveredFrom"/>), or null.</summary>
    public string? RecoveredFrom { get; init; }

    /// <summary>The trace of the KCI's arrival (a W3C trace context), when tracing is on: Handlers' work on it joins that trace.</summary>
    public string? TraceParent { get; init; }
}
