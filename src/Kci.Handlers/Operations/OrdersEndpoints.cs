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
    private const int MaxPage = 100_000;

    private static readonly (string Command, string Name, string Summary)[] Commands =
    [
        ("retry", "RetryBlockedKci", "Dispatch the blocked KCI again, with the rest of its run"),
        ("skip", "SkipKciOrGap", "Give up on the blocked or a dead-lettered KCI, or on the gap the order waits for"),
        ("unpark", "UnparkOrder", "Release an order parked for holding too many KCIs"),
        ("recover", "RecoverGap", "Ask the gateway's order read for the numbers the order misses, now"),
    ];

    public static RouteGroupBuilder MapOrdersEndpoints(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("", ListAsync).WithName("ListOrders").WithSummary("Orders, newest first, 50 a page");
        orders.MapGet("/{entityType}/{entityId}", GetAsync).WithName("GetOrder")
            .WithSummary("An order: its state, open actions, skipped gaps, dead letters and the sequencer's view");
        orders.MapGet("/{entityType}/{entityId}/kcis", TimelineAsync).WithName("GetOrderTimeline").WithSummary("The order's KCIs in handling order");
        foreach (var (command, name, summary) in Commands)
        {
            orders.MapPost($"/{{entityType}}/{{entityId}}/{command}", (string entityType, string entityId, OperatorCommandRequest body,
                    ClaimsPrincipal user, HandlersDb db, TimeProvider clock, ILoggerFactory logs, CancellationToken ct) =>
                CommandAsync(command, entityType, entityId, body, user, db, clock, logs, ct))
                .WithName(name).WithSummary(summary);
        }
        return api;
    }

    private static async Task<Results<Ok<Page<OrderSummary>>, ValidationProblem>> ListAsync(HandlersDb db, string? status, string? supplier,
        DateTimeOffset? updatedSince, int? page, CancellationToken cancellationToken)
    {
        if (page is < 1 or > MaxPage)
            return Problems.Invalid("page", $"must be from 1 to {MaxPage}");
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

    private static async Task<Results<Ok<OrderDetail>, ProblemHttpResult>> GetAsync(string entityType, string entityId, HandlersDb db, CancellationToken cancellationToken)
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
            order?.AcknowledgedAt, order?.CommittedAt, order?.CompletedAt, order?.UpdatedAt ?? sequencer?.UpdatedAt ?? deadLetters[0].TakenAt, Json(order?.Entity),
            actions, gaps, sequencer, deadLetters));
    }

    /// <summary>The order's KCIs in the order they were handled.</summary>
    private static async Task<Results<Ok<List<TimelineItem>>, ProblemHttpResult>> TimelineAsync(string entityType, string entityId, HandlersDb db,
        CancellationToken cancellationToken)
    {
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        var rows = await db.Timeline.AsNoTracking()
            .Where(t => t.OrderId == orderId)
            .OrderBy(t => t.Position)
            .Select(t => new { t.KciId, t.SequenceNumber, t.UpdateType, t.PayloadType, t.Code, t.Text, t.Kind, t.IssuedOn, t.ReceivedOn,
                t.DeliveredOn, t.ReceivedAt, t.HandledAt, t.Late, t.SequenceConflict, t.GapBefore, t.SupplierNotes, t.ConversationId, t.RecoveredFrom })
            .ToListAsync(cancellationToken);
        var items = rows.Select(t => new TimelineItem(t.KciId, t.SequenceNumber, t.UpdateType, t.PayloadType, t.Code, t.Text, t.Kind,
            t.IssuedOn, t.ReceivedOn, t.DeliveredOn, t.ReceivedAt, t.HandledAt,
            new TimelineFlags(t.Late, t.SequenceConflict, t.GapBefore, t.RecoveredFrom is not null), Json(t.SupplierNotes), t.ConversationId,
            t.RecoveredFrom)).ToList();
        if (items.Count == 0 && !await db.Orders.AnyAsync(o => o.OrderId == orderId, cancellationToken))
            return Problems.NotFound($"No order {entityType}/{entityId}");
        return TypedResults.Ok(items);
    }

    /// <summary>Stored JSON, returned as JSON rather than as a string of it.</summary>
    internal static JsonElement? Json(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>
    /// Checks the command's target against the order as it is now (409 with the current targets when it no longer holds the
    /// order, recorded as ignored), then records the operator's action and sends the command to the order's saga, in one
    /// transaction. The saga checks the target again under its lock, and applies a command id only once.
    /// </summary>
    private static async Task<Results<Accepted<OperatorAction>, ProblemHttpResult, ValidationProblem>> CommandAsync(string command,
        string entityType, string entityId, OperatorCommandRequest body, ClaimsPrincipal user, HandlersDb db, TimeProvider clock, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        if (!OperatorRequest.IsValid(body.Base))
            return Problems.Invalid("reason", "is required");
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        if (await SequencerReader.ForOrderAsync(db, orderId, cancellationToken) is not { } view)
            return Problems.NotFound($"The sequencer knows no order {entityType}/{entityId}");
        if (body.MissingTarget(command) is { } missing)
            return Problems.Invalid(missing);

        var now = clock.GetUtcNow();
        var who = body.Base.Who(user);
        var mismatch = body.Mismatch(command, view.Targets);
        var record = new OperatorAction
        {
            Command = command, Target = $"{entityType}/{entityId} {Target(command, body, view)}", Operator = who, Reason = body.Reason!.Trim(), At = now,
            Outcome = mismatch is null ? "sent" : $"ignored: {mismatch}",
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.OperatorActions.Add(record);
        if (mismatch is null)
        {
            var commandId = Guid.NewGuid();
            object message = command switch
            {
                "retry" => new RetryBlockedKci { OrderId = orderId, KciId = body.KciId!.Value, CommandId = commandId, Operator = who, Reason = record.Reason, RequestedAt = now },
                "skip" => new SkipKci
                {
                    OrderId = orderId, KciId = body.KciId, GapFrom = body.Gap?.From, GapTo = body.Gap?.To, CommandId = commandId,
                    Operator = who, Reason = record.Reason, RequestedAt = now,
                },
                "unpark" => new UnparkOrder { OrderId = orderId, ParkedAt = view.Targets.ParkedAt!.Value, CommandId = commandId, Operator = who, Reason = record.Reason, RequestedAt = now },
                _ => new RecoverGap { OrderId = orderId, CommandId = commandId, Operator = who, Reason = record.Reason, RequestedAt = now },
            };
            db.Enqueue(KciQueues.SequencerControl, message, commandId, correlationId: orderId);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.OperatorAction(logs.CreateLogger("Kci.Handlers.Operations"), who, command, record.Target, record.Reason, record.Outcome);
        return mismatch is null
            ? TypedResults.Accepted($"/orders/{entityType}/{entityId}", record)
            : Problems.Conflict(mismatch, view);
    }

    private static string Target(string command, OperatorCommandRequest body, SequencerView view) =>
        command == "recover" ? view.Targets.Gap is { } waiting ? $"gap {waiting.From}-{waiting.To}" : "no gap"
        : body.KciId is { } kci ? $"kci {kci}" : body.Gap is { } gap ? $"gap {gap.From}-{gap.To}" : body.ParkedAt is { } at ? $"parked at {at:O}" : "";
}
