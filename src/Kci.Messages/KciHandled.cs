namespace Kci.Messages;

/// <summary>
/// Handlers committed the effects of a released run up to and including <see cref="KciId"/> (the whole run, or the KCIs
/// before one that failed): the sequencer may release what comes next.
/// </summary>
public sealed record KciHandled
{
    /// <summary>The last KCI of the run that Handlers committed.</summary>
    public required Guid KciId { get; init; }

    public required Guid OrderId { get; init; }
    public required long SequenceNumber { get; init; }
    public required DateTimeOffset HandledAt { get; init; }
}
