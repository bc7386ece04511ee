namespace Kci.Messages;

/// <summary>The in-flight KCI of an order was not acknowledged by its stored deadline (sent by the sequencer's deadline sweeper).</summary>
public sealed record AckTimeoutElapsed
{
    public required Guid OrderId { get; init; }
    public required Guid KciId { get; init; }
    public required DateTimeOffset Deadline { get; init; }
}
