namespace Kci.Hosting.Messaging;

/// <summary>
/// The durable queues of the pipeline. Producers send to these queues by name rather than publish to
/// a type's exchange: MassTransit declares the queue and its binding on the first send, so a message is
/// stored durably even when its consumer has never started (a publish to an exchange with no binding
/// would be confirmed and dropped).
/// </summary>
public static class KciQueues
{
    /// <summary>
    /// New KCIs from the ingress, and gap deadlines: a deadline queues behind every KCI that arrived before it
    /// fired, so a backlog (after an outage, say) never makes a missing KCI look lost while it waits in the queue.
    /// </summary>
    public const string Sequencer = "kci-sequencer";

    /// <summary>
    /// KciHandled, handling faults and operator commands: a queue of its own, so the acknowledgement that lets
    /// an order's next KCI go never waits behind a backlog of new KCIs (docs/performance.md).
    /// </summary>
    public const string SequencerControl = "kci-sequencer-control";
    public const string Informational = "kci-informational";
    public const string ActionRequired = "kci-action-required";
    public const string Error = "kci-error";
    public const string Unrecognised = "kci-unrecognised";
    public const string Gaps = "kci-gaps";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
