namespace Kci.Messages;

/// <summary>
/// Operator: move an order on past what holds it. The target is either a KCI (<see cref="KciId"/>: the blocked one, given
/// up, or a dead-lettered one, whose number then counts as skipped) or a gap (<see cref="GapFrom"/> to <see cref="GapTo"/>:
/// the missing numbers the order waits for, skipped now instead of at the gap timeout). Applies only while the target is
/// still what holds the order.
/// </summary>
public sealed record SkipKci
{
    public required Guid OrderId { get; init; }
    public Guid? KciId { get; init; }
    public long? GapFrom { get; init; }
    public long? GapTo { get; init; }

    /// <summary>Unique per operator request: a repeated delivery of the same command has no second effect.</summary>
    public required Guid CommandId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
