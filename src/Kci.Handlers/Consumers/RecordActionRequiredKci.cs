using Kci.Handlers.Recording;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>ACTION_REQUIRED: the tenant has something to do.</summary>
public sealed class RecordActionRequiredKci(KciRecorder recorder) : IConsumer<ActionRequiredKciReleased>
{
    public Task Consume(ConsumeContext<ActionRequiredKciReleased> context) =>
        recorder.RecordAsync(context.Message.Kci, "action-required", effects: null, context.CancellationToken);
}
