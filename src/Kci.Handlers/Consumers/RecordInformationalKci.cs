using Kci.Handlers.Recording;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>INFORMATIONAL: the order's state and milestones move on; an unsolicited cease opens a review.</summary>
public sealed class RecordInformationalKci(KciRecorder recorder, TimeProvider clock) : IConsumer<InformationalKciReleased>
{
    public Task Consume(ConsumeContext<InformationalKciReleased> context)
    {
        var kci = context.Message.Kci;
        return recorder.RecordAsync(kci, "informational", (facts, _, db) =>
        {
            if (ActionRules.ForUnsolicitedCease(kci, facts, clock.GetUtcNow()) is { } review)
                db.Actions.Add(review);
            return Task.CompletedTask;
        }, context.CancellationToken);
    }
}
