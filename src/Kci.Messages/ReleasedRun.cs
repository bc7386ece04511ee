namespace Kci.Messages;

/// <summary>
/// A release: one or more KCIs of one order, consecutive in its sequence and of one kind, in the order Handlers must apply
/// them. Handlers acknowledge a run once, with the last KCI they committed (<see cref="KciHandled"/>).
/// </summary>
public interface IReleasedRun
{
    /// <summary>The KCIs, first to last; never empty.</summary>
    IReadOnlyList<ReleasedKci> Kcis { get; }
}
