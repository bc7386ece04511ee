namespace Kci.Messages;

/// <summary>An INFORMATIONAL KCI, released in order.</summary>
public sealed record InformationalKciReleased
{
    public required ReleasedKci Kci { get; init; }
}
