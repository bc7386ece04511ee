using Kci.Hosting.Messaging;
using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.Sequencer.Consumers;

/// <summary>Handlers' acknowledgements, a batch per transaction: each lets its order's next KCI go.</summary>
public sealed class ReleaseNextAfterHandled(BatchSequencer sequencer) : IBatchTransaction<KciHandled>
{
    public Task RunAsync(IReadOnlyList<KciHandled> messages, CancellationToken cancellationToken) =>
        sequencer.HandledAsync(messages, cancellationToken);
}
