namespace Kci.Messages;

/// <summary>Numbers <see cref="From"/> to <see cref="To"/> of an order never arrived within the gap timeout and were skipped.</summary>
public sealed record SequenceGapSkipped
{
    public required Guid OrderId { get; init; }
    public required OrderKey Order { get; init; }
    public required long From { get; init; }
    public required long To { get; init; }
    public required DateTimeOffset SkippedAt { get; init; }
    public string? ConversationId { get; init; }
}
