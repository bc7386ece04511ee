namespace Kci.Messages;

/// <summary>An ERROR run: an order's consecutive KCIs of that kind, released in order.</summary>
public sealed record ErrorKciReleased : ReleasedRun;
