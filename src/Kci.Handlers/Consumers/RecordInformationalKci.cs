using Kci.Handlers.Recording;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>INFORMATIONAL: the order's state and milestones move on.</summary>
public sealed class RecordInformationalKci(KciRecorder recorder) : IConsumer<InformationalKciReleased>
{
    public Task Consume(ConsumeContext<InformationalKciReleased> context) =>
        recorder.RecordAsync(context.Message.Kci, "informational", effects: null, context.CancellationToken);
}
