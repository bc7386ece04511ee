namespace Kci.Messages;

/// <summary>An ACTION_REQUIRED KCI, released in order.</summary>
public sealed record ActionRequiredKciReleased
{
    public required ReleasedKci Kci { get; init; }
}
