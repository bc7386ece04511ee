using Kci.Handlers.Persistence;
using Kci.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

/// <summary>The operations API: what operators and the tenant's own systems read.</summary>
public static class OperationsEndpoints
{
    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        var orders = app.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("/{entityType}/{entityId}/kcis", GetTimeline);
        orders.MapGet("/{entityType}/{entityId}", GetOrder);
        return app;
    }

    /// <summary>The order's KCIs in the order they were handled.</summary>
    private static async Task<Results<Ok<List<TimelineItem>>, NotFound>> GetTimeline(string entityType, string entityId, HandlersDb db,
        CancellationToken cancellationToken)
    {
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        var items = await db.Timeline.AsNoTracking()
            .Where(t => t.OrderId == orderId)
            .OrderBy(t => t.Position)
            .Select(t => new TimelineItem(t.KciId, t.SequenceNumber, t.UpdateType, t.PayloadType, t.Code, t.Text, t.Kind,
                t.IssuedOn, t.ReceivedOn, t.DeliveredOn, t.ReceivedAt, t.HandledAt,
                new TimelineFlags(t.Late, t.SequenceConflict, t.GapBefore), t.ConversationId))
            .ToListAsync(cancellationToken);
        if (items.Count == 0 && !await db.Orders.AnyAsync(o => o.OrderId == orderId, cancellationToken))
            return TypedResults.NotFound();
        return TypedResults.Ok(items);
    }

    private static async Task<Results<Ok<OrderView>, NotFound>> GetOrder(string entityType, string entityId, HandlersDb db,
        CancellationToken cancellationToken)
    {
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == orderId, cancellationToken);
        if (order is null)
            return TypedResults.NotFound();
        return TypedResults.Ok(new OrderView(order.EntityType, order.EntityId, order.Supplier, order.SupplierOrderNumber, order.Status,
            order.CommittedDate, order.TargetDate, order.LastAppliedSequence, order.AcknowledgedAt, order.CommittedAt, order.CompletedAt,
            order.UpdatedAt));
    }
}

public sealed record TimelineFlags(bool Late, bool SequenceConflict, long GapBefore);

public sealed record TimelineItem(
    Guid Id, long SequenceNumber, string UpdateType, string? PayloadType, string? Code, string? Text, string Kind,
    DateTimeOffset? IssuedOn, DateTimeOffset? ReceivedOn, DateTimeOffset? DeliveredOn, DateTimeOffset ReceivedAt, DateTimeOffset HandledAt,
    TimelineFlags Flags, string ConversationId);

public sealed record OrderView(
    string EntityType, string EntityId, string Supplier, string? SupplierOrderNumber, string? Status,
    DateTimeOffset? CommittedDate, DateTimeOffset? TargetDate, long LastAppliedSequence,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? CommittedAt, DateTimeOffset? CompletedAt, DateTimeOffset UpdatedAt);
