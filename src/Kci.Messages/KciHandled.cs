namespace Kci.Messages;

/// <summary>Handlers committed the effects of a released KCI: the sequencer may release the order's next one.</summary>
public sealed record KciHandled
{
    public required Guid KciId { get; init; }
    public required Guid OrderId { get; init; }
    public required long SequenceNumber { get; init; }
    public required DateTimeOffset HandledAt { get; init; }
}
