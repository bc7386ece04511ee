namespace Kci.Messages;

/// <summary>A run of KCIs whose update type or entity type this version does not know, released in order so they can be kept and shown.</summary>
public sealed record UnrecognisedKciReleased : ReleasedRun;
