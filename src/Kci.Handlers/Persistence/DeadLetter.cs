namespace Kci.Handlers.Persistence;

/// <summary>
/// A message that faulted for good, taken from its <c>_error</c> queue so operators can see why and replay it. The envelope
/// is kept byte for byte; the columns beside it are read from it for lists and filters.
/// </summary>
public sealed class DeadLetter
{
    public long Id { get; set; }

    /// <summary>The dead-letter queue it came from, e.g. <c>kci-sequencer_error</c>.</summary>
    public required string Queue { get; set; }

    /// <summary>The queue it faulted on, and where a replay sends it.</summary>
    public required string SourceQueue { get; set; }

    public Guid MessageId { get; set; }

    /// <summary>The short name of its message type (<c>KciReceived</c>, ...), or MassTransit's URN when it is not one of ours.</summary>
    public required string MessageType { get; set; }

    public Guid? OrderId { get; set; }
    public string? EntityType { get; set; }
    public string? EntityId { get; set; }
    public Guid? KciId { get; set; }
    public long? SequenceNumber { get; set; }
    public string? ConversationId { get; set; }

    /// <summary>The exception MassTransit recorded (<c>MT-Fault-ExceptionType</c>) and its message, cut short.</summary>
    public string? ExceptionType { get; set; }
    public string? ExceptionMessage { get; set; }

    public DateTimeOffset? FaultedAt { get; set; }
    public DateTimeOffset TakenAt { get; set; }

    /// <summary>dead (waiting for an operator) or replayed.</summary>
    public required string State { get; set; }

    public DateTimeOffset? ReplayedAt { get; set; }
    public string? ReplayedBy { get; set; }

    /// <summary>The MassTransit envelope as it lay in the queue.</summary>
    public required byte[] Envelope { get; set; }
}
