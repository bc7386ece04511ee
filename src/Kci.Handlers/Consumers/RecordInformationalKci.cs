using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Messages;

namespace Kci.Handlers.Consumers;

/// <summary>INFORMATIONAL, a batch of runs per transaction: the order's state and milestones move on; an unsolicited cease opens a review.</summary>
public sealed class RecordInformationalKci(KciRecorder recorder, TimeProvider clock) : IBatchTransaction<InformationalKciReleased>
{
    public Task RunAsync(IReadOnlyList<InformationalKciReleased> messages, CancellationToken cancellationToken) =>
        recorder.RecordAsync(messages, "informational", (kci, facts, _) => ActionRules.ForUnsolicitedCease(kci, facts, clock.GetUtcNow()),
            cancellationToken);
}
