namespace Kci.Messages;

/// <summary>
/// A <see cref="KciReceived"/> faulted for good and was taken from a dead-letter queue into the operators' view; the
/// sequencer holds its number for it until an operator replays or skips it.
/// </summary>
public sealed record KciDeadLettered
{
    public required Guid OrderId { get; init; }
    public required KciReceived Kci { get; init; }

    /// <summary>The dead-letter queue it was taken from.</summary>
    public required string Queue { get; init; }

    /// <summary>The exception type MassTransit recorded, when any.</summary>
    public string? Reason { get; init; }
}
