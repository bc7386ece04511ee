namespace Kci.Messages;

/// <summary>An INFORMATIONAL run: an order's consecutive KCIs of that kind, released in order.</summary>
public sealed record InformationalKciReleased : ReleasedRun;
