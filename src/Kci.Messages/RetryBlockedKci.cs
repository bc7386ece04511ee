namespace Kci.Messages;

/// <summary>Operator: dispatch the order's blocked KCI again. Applies only while <see cref="KciId"/> is the blocked one.</summary>
public sealed record RetryBlockedKci
{
    public required Guid OrderId { get; init; }

    /// <summary>The target: the KCI the operator saw blocked.</summary>
    public required Guid KciId { get; init; }

    /// <summary>Unique per operator request: a repeated delivery of the same command has no second effect.</summary>
    public required Guid CommandId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
