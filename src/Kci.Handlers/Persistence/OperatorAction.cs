namespace Kci.Handlers.Persistence;

/// <summary>Every operator action, recorded: who, when, why, on what.</summary>
public sealed class OperatorAction
{
    public long Id { get; set; }

    /// <summary>resolve-action, retry, skip, unpark, redeliver-notification.</summary>
    public required string Command { get; set; }

    public required string Target { get; set; }
    public required string Operator { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset At { get; set; }
}
