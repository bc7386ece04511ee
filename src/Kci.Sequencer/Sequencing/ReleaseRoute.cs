using Kci.Hosting.Messaging;
using Kci.Messages;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// Which message type, and so which Handlers queue, a released KCI goes to. Enums are open: an update
/// or entity type this version does not know goes to the unrecognised queue, to be kept and shown.
/// </summary>
public static class ReleaseRoute
{
    private static readonly HashSet<string> KnownEntityTypes =
    [
        "PROVIDE_ORDER", "MODIFY_ORDER", "CEASE_ORDER", "UNSOLICITED_CEASE_ORDER",
        "PROVIDE_ETHERNET_ORDER", "SERVICE_TEST", "SERVICE_PROBLEM",
    ];

    /// <summary>The Handlers queue for a KCI of <paramref name="updateType"/> on an order of <paramref name="entityType"/>.</summary>
    public static string QueueFor(string entityType, string updateType) =>
        !KnownEntityTypes.Contains(entityType) ? KciQueues.Unrecognised
        : updateType switch
        {
            "INFORMATIONAL" => KciQueues.Informational,
            "ACTION_REQUIRED" => KciQueues.ActionRequired,
            "ERROR" => KciQueues.Error,
            _ => KciQueues.Unrecognised,
        };

    /// <summary>The queue and the message for <paramref name="run"/>, KCIs of one order that all go to one queue.</summary>
    public static (string Queue, object Message) For(IReadOnlyList<ReleasedKci> run)
    {
        var queue = QueueFor(run[0].Order.EntityType, run[0].UpdateType);
        if (run.Any(k => QueueFor(k.Order.EntityType, k.UpdateType) != queue))
            throw new ArgumentException("A run goes to one queue", nameof(run));
        return (queue, queue switch
        {
            KciQueues.Informational => new InformationalKciReleased { Kcis = run },
            KciQueues.ActionRequired => new ActionRequiredKciReleased { Kcis = run },
            KciQueues.Error => new ErrorKciReleased { Kcis = run },
            _ => new UnrecognisedKciReleased { Kcis = run },
        });
    }
}
