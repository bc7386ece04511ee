using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Messages;

namespace Kci.Handlers.Consumers;

/// <summary>INFORMATIONAL, a batch per transaction: the order's state and milestones move on; an unsolicited cease opens a review.</summary>
public sealed class RecordInformationalKci(KciRecorder recorder, TimeProvider clock) : IBatchTransaction<InformationalKciReleased>
{
    public Task RunAsync(IReadOnlyList<InformationalKciReleased> messages, CancellationToken cancellationToken) =>
        recorder.RecordAsync([.. messages.Select(r => r.Kci)], "informational", (kci, facts, db) =>
        {
            if (ActionRules.ForUnsolicitedCease(kci, facts, clock.GetUtcNow()) is { } review)
                db.Actions.Add(review);
        }, cancellationToken);
}
