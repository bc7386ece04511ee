using Kci.Hosting.Messaging;
using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.Sequencer.Consumers;

/// <summary>New KCIs from the ingress, a batch per transaction: held, and released in their order's sequence.</summary>
public sealed class SequenceArrivedKcis(BatchSequencer sequencer) : IBatchTransaction<KciReceived>
{
    public Task RunAsync(IReadOnlyList<KciReceived> messages, CancellationToken cancellationToken) =>
        sequencer.AcceptAsync(messages, cancellationToken);
}
