namespace Kci.Handlers.Persistence;

/// <summary>Every operator action, recorded: who, when, why, on what.</summary>
public sealed class OperatorAction
{
    public long Id { get; set; }

    /// <summary>resolve-action, retry, skip, unpark, replay-dead-letter.</summary>
    public required string Command { get; set; }

    public required string Target { get; set; }
    public required string Operator { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>sent (to the saga), done, or ignored with why: a command whose target no longer matched changed nothing.</summary>
    public string Outcome { get; set; } = "done";
}
