using MassTransit;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// The saga of one order: which number comes next, which KCI is with Handlers, and every KCI seen
/// (held ones with their body until released). One row per order, locked while a message changes it.
/// </summary>
public sealed class OrderSequence : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public required string Supplier { get; set; }

    /// <summary>The conversation of the latest KCI, for tracing.</summary>
    public string? ConversationId { get; set; }

    /// <summary>The lowest number neither released nor skipped.</summary>
    public long NextSequence { get; set; } = 1;

    /// <summary>Numbers up to this one that never arrived count as skipped (set when a gap timed out).</summary>
    public long SkipThrough { get; set; }

    /// <summary>The KCI released to Handlers and not yet reported handled: the next waits for it.</summary>
    public Guid? InFlightKciId { get; set; }

    /// <summary>
    /// When the in-flight KCI is dispatched again if its acknowledgement has not come (null when nothing is in flight,
    /// or the order is blocked and waits for an operator).
    /// </summary>
    public DateTimeOffset? AckDeadline { get; set; }

    /// <summary>When the wait for a missing number ends (null when nothing waits on a gap).</summary>
    public DateTimeOffset? GapDeadline { get; set; }

    /// <summary>
    /// When the gateway's order read is next asked for the missing numbers (null when nothing waits on a gap, or gap recovery
    /// is off). Set when the gap clock starts; <c>GapRecoverer</c> moves it on after each attempt.
    /// </summary>
    public DateTimeOffset? RecoveryDue { get; set; }

    /// <summary>Handling of the in-flight KCI failed for good: nothing more is released until an operator acts.</summary>
    public bool Blocked { get; set; }

    /// <summary>More KCIs were held than the cap: stored, but nothing released until an operator unparks.</summary>
    public bool Parked { get; set; }

    /// <summary>When the current parking began: an unpark must name it, so it never releases a parking nobody saw.</summary>
    public DateTimeOffset? ParkedAt { get; set; }

    /// <summary>The last operator command applied: the same command delivered again has no second effect.</summary>
    public Guid? LastCommandId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<SequencedKci> Kcis { get; set; } = [];

    /// <summary>The rules own the Blocked and Parked flags; the state mirrors them so the saga table reads plainly.</summary>
    public void Settle() => CurrentState = Parked ? OrderStates.Parked : Blocked ? OrderStates.Blocked : OrderStates.Sequencing;
}

/// <summary>The states of <see cref="OrderSequenceStateMachine"/>, by name.</summary>
public static class OrderStates
{
    /// <summary>KCIs flow: each released as soon as its turn comes.</summary>
    public const string Sequencing = nameof(Sequencing);

    /// <summary>Handling of the in-flight KCI failed for good; an operator retries or skips it.</summary>
    public const string Blocked = nameof(Blocked);

    /// <summary>Too many KCIs held; an operator unparks the order.</summary>
    public const string Parked = nameof(Parked);
}
