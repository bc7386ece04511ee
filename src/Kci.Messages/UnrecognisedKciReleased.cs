namespace Kci.Messages;

/// <summary>A KCI whose update type or entity type this version does not know, released in order so it can be kept and shown.</summary>
public sealed record UnrecognisedKciReleased
{
    public required ReleasedKci Kci { get; init; }
}
