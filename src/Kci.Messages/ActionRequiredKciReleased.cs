namespace Kci.Messages;

/// <summary>An ACTION_REQUIRED run: an order's consecutive KCIs of that kind, released in order.</summary>
public sealed record ActionRequiredKciReleased : ReleasedRun;
