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

    /// <summary>The queue and the message for <paramref name="kci"/>.</summary>
    public static (string Queue, object Message) For(ReleasedKci kci)
    {
        if (!KnownEntityTypes.Contains(kci.Order.EntityType))
            return (KciQueues.Unrecognised, new UnrecognisedKciReleased { Kci = kci });

        return kci.UpdateType switch
        {
            "INFORMATIONAL" => (KciQueues.Informational, new InformationalKciReleased { Kci = kci }),
            "ACTION_REQUIRED" => (KciQueues.ActionRequired, new ActionRequiredKciReleased { Kci = kci }),
            "ERROR" => (KciQueues.Error, new ErrorKciReleased { Kci = kci }),
            _ => (KciQueues.Unrecognised, new UnrecognisedKciReleased { Kci = kci }),
        };
    }
}
