namespace Kci.Messages;

/// <summary>Operator: dispatch the order's blocked KCI again.</summary>
public sealed record RetryBlockedKci
{
    public required Guid OrderId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
