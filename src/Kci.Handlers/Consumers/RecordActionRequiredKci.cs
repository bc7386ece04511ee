using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Messages;

namespace Kci.Handlers.Consumers;

/// <summary>ACTION_REQUIRED, a batch of runs per transaction: the tenant has something to do; it becomes an open action item.</summary>
public sealed class RecordActionRequiredKci(KciRecorder recorder, TimeProvider clock) : IBatchTransaction<ActionRequiredKciReleased>
{
    public Task RunAsync(IReadOnlyList<ActionRequiredKciReleased> messages, CancellationToken cancellationToken) =>
        recorder.RecordAsync(messages, "action-required", (kci, facts, _) => ActionRules.ForActionKci(kci, facts, clock.GetUtcNow()), cancellationToken);
}
