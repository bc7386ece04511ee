using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Messages;

namespace Kci.Handlers.Consumers;

/// <summary>An update or entity type this version does not know, a batch of runs per transaction: kept whole and listed for operators.</summary>
public sealed class KeepUnrecognisedKci(KciRecorder recorder, ILogger<KeepUnrecognisedKci> logger) : IBatchTransaction<UnrecognisedKciReleased>
{
    public async Task RunAsync(IReadOnlyList<UnrecognisedKciReleased> messages, CancellationToken cancellationToken)
    {
        foreach (var (kci, _) in await recorder.RecordAsync(messages, "unrecognised", effects: null, cancellationToken))
            Log.Unrecognised(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), kci.UpdateType, kci.ConversationId);
    }
}
