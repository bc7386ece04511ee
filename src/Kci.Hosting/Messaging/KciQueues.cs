namespace Kci.Hosting.Messaging;

/// <summary>
/// The durable queues of the pipeline. Producers send to these queues by name rather than publish to
/// a type's exchange: MassTransit declares the queue and its binding on the first send, so a message is
/// stored durably even when its consumer has never started (a publish to an exchange with no binding
/// would be confirmed and dropped).
/// </summary>
public static class KciQueues
{
    public const string Sequencer = "kci-sequencer";
    public const string Informational = "kci-informational";
    public const string ActionRequired = "kci-action-required";
    public const string Error = "kci-error";
    public const string Unrecognised = "kci-unrecognised";
    public const string Gaps = "kci-gaps";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
