using System.Security.Claims;
using System.Text.Json;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

public sealed record OrderSummary(string EntityType, string EntityId, string Supplier, string? SupplierOrderNumber, string? Status,
    long LastAppliedSequence, DateTimeOffset UpdatedAt);

public sealed record OrderDetail(
    string EntityType, string EntityId, string Supplier, string? SupplierOrderNumber, string? Status,
    DateTimeOffset? CommittedDate, DateTimeOffset? TargetDate, DateTimeOffset? AppointmentStart, DateTimeOffset? AppointmentEnd,
    long LastAppliedSequence, DateTimeOffset? AcknowledgedAt, DateTimeOffset? CommittedAt, DateTimeOffset? CompletedAt, DateTimeOffset UpdatedAt,
    JsonElement? Entity, List<ActionView> OpenActions, List<GapView> Gaps, SequencerView? Sequencer, List<DeadLetterView> DeadLetters);

public sealed record GapView(long From, long To, DateTimeOffset SkippedAt);

/// <summary>How a KCI came to be handled: late (its number had been skipped), a conflict (its number was taken), the numbers
/// skipped right before it, and whether it was recovered from the gateway's order read rather than delivered.</summary>
public sealed record TimelineFlags(bool Late, bool SequenceConflict, long GapBefore, bool Recovered);

public sealed record TimelineItem(
    Guid Id, long SequenceNumber, string UpdateType, string? PayloadType, string? Code, string? Text, string Kind,
    DateTimeOffset? IssuedOn, DateTimeOffset? ReceivedOn, DateTimeOffset? DeliveredOn, DateTimeOffset ReceivedAt, DateTimeOffset HandledAt,
    TimelineFlags Flags, JsonElement? SupplierNotes, string ConversationId, string? RecoveredFrom);

public sealed record Page<T>(int Number, int PageSize, List<T> Items);

/// <summary>Orders, their timelines, and the operator commands that go to the sequencer.</summary>
public static class OrdersEndpoints
{
    private const int PageSize = 50;

    public static RouteGroupBuilder MapOrdersEndpoints(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("", ListAsync).WithName("ListOrders").WithSummary("Orders, newest first, 50 a page");
        orders.MapGet("/{entityType}/{entityId}", GetAsync).WithName("GetOrder")
            .WithSummary("An order: its state, open actions, skipped gaps, dead letters and the sequencer's view");
        orders.MapGet("/{entityType}/{entityId}/kcis", TimelineAsync).WithName("GetOrderTimeline").WithSummary("The order's KCIs in handling order");
        foreach (var (command, name, summary) in OperatorCommands.SagaCommands)
        {
            orders.MapPost($"/{{entityType}}/{{entityId}}/{command}", async (string entityType, string entityId, OperatorCommandRequest body,
                    ClaimsPrincipal user, OperatorCommands commands, CancellationToken ct) =>
                OperatorResults.Of(await commands.SendToOrderAsync(command, entityType, entityId, body, body.Base.Who(user), ct),
                    done => TypedResults.Accepted($"/orders/{entityType}/{entityId}", done.Record)))
                .WithName(name).WithSummary(summary);
        }
        return api;
    }

    private static async Task<Results<Ok<Page<OrderSummary>>, ValidationProblem>> ListAsync(HandlersDb db, string? status, string? supplier,
        DateTimeOffset? updatedSince, int? page, CancellationToken cancellationToken)
    {
        if (ListPages.Refuse(page) is { } refused)
            return refused;
        var query = db.Orders.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
            query = query.Where(o => o.Status == status);
        if (!string.IsNullOrEmpty(supplier))
            query = query.Where(o => o.Supplier == supplier);
        if (updatedSince is { } since)
            query = query.Where(o => o.UpdatedAt >= since);
        var number = Math.Max(1, page ?? 1);
        var items = await query.OrderByDescending(o => o.UpdatedAt).ThenBy(o => o.OrderId)
            .Skip((number - 1) * PageSize).Take(PageSize)
            .Select(o => new OrderSummary(o.EntityType, o.EntityId, o.Supplier, o.SupplierOrderNumber, o.Status, o.LastAppliedSequence, o.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<OrderSummary>(number, PageSize, items));
    }

    private static async Task<Results<Ok<OrderDetail>, ProblemHttpResult>> GetAsync(string entityType, string entityId, HandlersDb db,
        ClaimsPrincipal user, PersonalDataAccess personal, CancellationToken cancellationToken)
    {
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == orderId, cancellationToken);
        var sequencer = await SequencerReader.ForOrderAsync(db, orderId, cancellationToken);
        var deadLetters = await db.DeadLetters.AsNoTracking().Where(d => d.OrderId == orderId).OrderBy(d => d.Id)
            .Select(DeadLettersEndpoints.ToView).ToListAsync(cancellationToken);
        if (order is null && sequencer is null && deadLetters.Count == 0)
            return Problems.NotFound($"No order {entityType}/{entityId}"); // one known only by its dead letters still has a page

        var actions = await db.Actions.AsNoTracking().Where(a => a.OrderId == orderId && a.Open).OrderBy(a => a.SequenceNumber)
            .Select(ActionsEndpoints.ToView).ToListAsync(cancellationToken);
        var gaps = await db.Gaps.AsNoTracking().Where(g => g.OrderId == orderId).OrderBy(g => g.From)
            .Select(g => new GapView(g.From, g.To, g.SkippedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new OrderDetail(entityType, entityId, order?.Supplier ?? "", order?.SupplierOrderNumber, order?.Status,
            order?.CommittedDate, order?.TargetDate, order?.AppointmentStart, order?.AppointmentEnd, order?.LastAppliedSequence ?? 0,
            order?.AcknowledgedAt, order?.CommittedAt, order?.CompletedAt, order?.UpdatedAt ?? sequencer?.UpdatedAt ?? deadLetters[0].TakenAt,
            Json(personal.For(user).Json(order?.Entity)),
            actions, gaps, sequencer, deadLetters));
    }

    /// <summary>The order's KCIs in the order they were handled.</summary>
    private static async Task<Results<Ok<List<TimelineItem>>, ProblemHttpResult>> TimelineAsync(string entityType, string entityId, HandlersDb db,
        ClaimsPrincipal user, PersonalDataAccess personal, CancellationToken cancellationToken)
    {
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        var rows = await db.Timeline.AsNoTracking()
            .Where(t => t.OrderId == orderId)
            .OrderBy(t => t.Position)
            .Select(t => new { t.KciId, t.SequenceNumber, t.UpdateType, t.PayloadType, t.Code, t.Text, t.Kind, t.IssuedOn, t.ReceivedOn,
                t.DeliveredOn, t.ReceivedAt, t.HandledAt, t.Late, t.SequenceConflict, t.GapBefore, t.SupplierNotes, t.ConversationId, t.RecoveredFrom })
            .ToListAsync(cancellationToken);
        var view = personal.For(user);
        var items = rows.Select(t => new TimelineItem(t.KciId, t.SequenceNumber, t.UpdateType, t.PayloadType, t.Code,
            view.Text(t.Text), t.Kind, t.IssuedOn, t.ReceivedOn, t.DeliveredOn, t.ReceivedAt, t.HandledAt,
            new TimelineFlags(t.Late, t.SequenceConflict, t.GapBefore, t.RecoveredFrom is not null),
            Json(view.Json(t.SupplierNotes)), t.ConversationId,
            t.RecoveredFrom)).ToList();
        if (items.Count == 0 && !await db.Orders.AnyAsync(o => o.OrderId == orderId, cancellationToken))
            return Problems.NotFound($"No order {entityType}/{entityId}");
        return TypedResults.Ok(items);
    }

    /// <summary>Stored JSON, returned as JSON rather than as a string of it.</summary>
    internal static JsonElement? Json(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
