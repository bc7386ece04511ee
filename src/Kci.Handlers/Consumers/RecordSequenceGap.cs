using Kci.Handlers.Persistence;
using Kci.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Consumers;

/// <summary>Keeps each skipped gap, so operators can ask the gateway for the KCIs that never came.</summary>
public sealed class RecordSequenceGap(HandlersDb db) : IConsumer<SequenceGapSkipped>
{
    public async Task Consume(ConsumeContext<SequenceGapSkipped> context)
    {
        var gap = context.Message;
        if (await db.Gaps.AnyAsync(g => g.OrderId == gap.OrderId && g.From == gap.From, context.CancellationToken))
            return; // delivered again
        db.Gaps.Add(new SequenceGap
        {
            OrderId = gap.OrderId, From = gap.From, To = gap.To, EntityType = gap.Order.EntityType, EntityId = gap.Order.EntityId, SkippedAt = gap.SkippedAt,
        });
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
