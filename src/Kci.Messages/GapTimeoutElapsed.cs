namespace Kci.Messages;

/// <summary>The stored gap deadline of an order has passed (sent by the sequencer's deadline sweeper).</summary>
public sealed record GapTimeoutElapsed
{
    public required Guid OrderId { get; init; }
    public required DateTimeOffset Deadline { get; init; }
}
