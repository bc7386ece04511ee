namespace Kci.Messages;

/// <summary>Operator: give up on the order's blocked KCI, or stop waiting for its missing numbers, and move on.</summary>
public sealed record SkipKci
{
    public required Guid OrderId { get; init; }

    /// <summary>Who asked (the operator's identity as the operations API knows it).</summary>
    public required string Operator { get; init; }

    public required string Reason { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
