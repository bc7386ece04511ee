using Kci.Handlers.Recording;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>An update or entity type this version does not know: kept whole and listed for operators.</summary>
public sealed class KeepUnrecognisedKci(KciRecorder recorder, ILogger<KeepUnrecognisedKci> logger) : IConsumer<UnrecognisedKciReleased>
{
    public async Task Consume(ConsumeContext<UnrecognisedKciReleased> context)
    {
        var kci = context.Message.Kci;
        if (await recorder.RecordAsync(kci, "unrecognised", effects: null, context.CancellationToken))
            Log.Unrecognised(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), kci.UpdateType, kci.ConversationId);
    }
}
