namespace Kci.Handlers.Persistence;

/// <summary>Numbers of an order that never arrived and were skipped by the sequencer after the gap timeout.</summary>
public sealed class SequenceGap
{
    public Guid OrderId { get; set; }
    public long From { get; set; }
    public long To { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public DateTimeOffset SkippedAt { get; set; }
}
