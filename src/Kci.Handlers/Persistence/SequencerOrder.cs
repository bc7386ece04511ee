namespace Kci.Handlers.Persistence;

/// <summary>A row of <c>sequencer.order_overview</c>, the Sequencer's read contract for the operations API (read-only, keyless).</summary>
public sealed class SequencerOrder
{
    public Guid CorrelationId { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public required string Supplier { get; set; }
    public required string CurrentState { get; set; }
    public long NextSequence { get; set; }
    public long SkipThrough { get; set; }
    public Guid? InFlightKciId { get; set; }
    public long? InFlightSequence { get; set; }
    public DateTimeOffset? InFlightSince { get; set; }
    public int? InFlightDispatches { get; set; }
    public DateTimeOffset? AckDeadline { get; set; }
    public DateTimeOffset? GapDeadline { get; set; }
    public bool Blocked { get; set; }
    public bool Parked { get; set; }
    public DateTimeOffset? ParkedAt { get; set; }
    public Guid? BlockedKciId { get; set; }
    public Guid[] DeadLetteredKciIds { get; set; } = [];
    public long? GapFrom { get; set; }
    public long? GapTo { get; set; }
    public long[] HeldNumbers { get; set; } = [];
    public long[] DeadLetteredNumbers { get; set; } = [];
    public string? WaitingReason { get; set; }
    public DateTimeOffset WaitingSince { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? RecoveryDue { get; set; }
}
