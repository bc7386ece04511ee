namespace Kci.Messages;

/// <summary>An ERROR KCI, released in order.</summary>
public sealed record ErrorKciReleased
{
    public required ReleasedKci Kci { get; init; }
}
