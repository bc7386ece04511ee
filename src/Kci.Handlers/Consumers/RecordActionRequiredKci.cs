using Kci.Handlers.Recording;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>ACTION_REQUIRED: the tenant has something to do; it becomes an open action item.</summary>
public sealed class RecordActionRequiredKci(KciRecorder recorder, TimeProvider clock) : IConsumer<ActionRequiredKciReleased>
{
    public Task Consume(ConsumeContext<ActionRequiredKciReleased> context)
    {
        var kci = context.Message.Kci;
        return recorder.RecordAsync(kci, "action-required", (facts, _, db) =>
        {
            db.Actions.Add(ActionRules.ForActionKci(kci, facts, clock.GetUtcNow()));
            return Task.CompletedTask;
        }, context.CancellationToken);
    }
}
