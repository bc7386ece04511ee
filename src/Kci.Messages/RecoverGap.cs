namespace Kci.Messages;

/// <summary>
/// Operator: ask the gateway's order read for the numbers the order waits on now, instead of when its recovery is next due.
/// </summary>
public sealed record RecoverGap
{
    public required Guid OrderId { get; init; }

    /// <summary>Unique per operator request: a repeated delivery of the same command has no second effect.</summary>
    public required Guid CommandId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
