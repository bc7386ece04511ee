namespace Kci.Messages;

/// <summary>Operator: release an order parked for holding too many KCIs.</summary>
public sealed record UnparkOrder
{
    public required Guid OrderId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
