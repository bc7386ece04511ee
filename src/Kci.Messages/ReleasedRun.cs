using System.Text.Json.Serialization;

namespace Kci.Messages;

/// <summary>
/// A release: one or more KCIs of one order, consecutive in its sequence and of one kind, in the order Handlers must apply
/// them. Handlers acknowledge a run once, with the last KCI they committed (<see cref="KciHandled"/>).
/// </summary>
public abstract record ReleasedRun
{
    /// <summary>The KCIs, first to last; never empty.</summary>
    public IReadOnlyList<ReleasedKci> Kcis { get; init; } = [];

    /// <summary>
    /// A release written before runs (by an older version, still in a queue, an outbox or a dead letter) carried its one KCI
    /// here: it reads as a run of one. Never written.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReleasedKci? Kci
    {
        get => null;
        init
        {
            if (value is not null)
                Kcis = [value];
        }
    }
}
