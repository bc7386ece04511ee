namespace Kci.Messages;

/// <summary>Operator: release an order parked for holding too many KCIs. Applies only to the parking that began at <see cref="ParkedAt"/>.</summary>
public sealed record UnparkOrder
{
    public required Guid OrderId { get; init; }

    /// <summary>The target: when the parking the operator saw began (the order's <c>parkedAt</c>).</summary>
    public required DateTimeOffset ParkedAt { get; init; }

    /// <summary>Unique per operator request: a repeated delivery of the same command has no second effect.</summary>
    public required Guid CommandId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
