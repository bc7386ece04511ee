using System.Security.Claims;
using Kci.Handlers.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

public sealed record ErrorView(Guid KciId, string EntityType, string EntityId, long SequenceNumber, string? Uuid, string? Code,
    string? Messages, string? EntityStatus, DateTimeOffset RecordedAt);

public sealed record UnrecognisedView(Guid KciId, string UpdateType, string? PayloadType, long SequenceNumber, Guid OrderId, DateTimeOffset HandledAt, string? Body);

public sealed record NotificationView(long Id, string Subscription, Guid KciId, string State, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt);

/// <summary>
/// The operations API (Handlers, default http://localhost:5090): read-only apart from the operator actions,
/// each of which is recorded. Behind a bearer token outside the local stack (OperationsAuth).
/// </summary>
public static class OperationsEndpoints
{
    public static WebApplication MapOperationsEndpoints(this WebApplication app, bool requireAuthorization)
    {
        var api = app.MapGroup("");
        if (requireAuthorization)
            api.RequireAuthorization(OperationsAuth.Policy);

        api.MapOrdersEndpoints();
        api.MapActionsEndpoints();
        api.MapDeadLettersEndpoints();
        api.MapGet("/errors", ErrorsAsync).WithTags("Errors").WithName("ListErrors").WithSummary("ERROR KCIs: the gateway's uuid, code and messages");
        api.MapGet("/unrecognised", UnrecognisedAsync).WithTags("Errors").WithName("ListUnrecognised")
            .WithSummary("KCIs of unknown update or entity types, kept whole");
        api.MapGet("/sequencer/held", async (HandlersDb db, DateTimeOffset? updatedSince, string? reason, int? page, CancellationToken ct) =>
            TypedResults.Ok(await SequencerReader.HeldAsync(db, updatedSince, reason, Math.Clamp(page ?? 1, 1, ListPages.MaxPage), 100, ct))).WithTags("Sequencer").WithName("ListWaitingOrders")
            .WithSummary("Orders that wait (gap, blocked, parked, dead letter, acknowledgement), the longest first");
        api.MapGet("/notifications", NotificationsAsync).WithTags("Notifications").WithName("ListNotifications")
            .WithSummary("Downstream deliveries, with their attempts and last error");
        api.MapGet("/operator-actions", OperatorActionsAsync).WithTags("Operators").WithName("ListOperatorActions")
            .WithSummary("Every operator action: who, what, why, when");
        return app;
    }

    private static async Task<Results<Ok<List<ErrorView>>, ValidationProblem>> ErrorsAsync(HandlersDb db, int? page, HttpContext http, CancellationToken ct) =>
        ListPages.Refuse(page) is { } refused ? refused : TypedResults.Ok(await db.Errors.AsNoTracking()
            .OrderByDescending(e => e.RecordedAt).ThenBy(e => e.KciId)
            .Select(e => new ErrorView(e.KciId, e.EntityType, e.EntityId, e.SequenceNumber, e.Uuid, e.Code, e.Messages, e.EntityStatus, e.RecordedAt))
            .PageAsync(page, http, ct));

    private static async Task<Results<Ok<List<UnrecognisedView>>, ValidationProblem>> UnrecognisedAsync(HandlersDb db, ClaimsPrincipal user,
        PersonalDataAccess personal, int? page, HttpContext http, CancellationToken ct)
    {
        if (ListPages.Refuse(page) is { } refused)
            return refused;
        var view = personal.For(user);
        var rows = await db.Timeline.AsNoTracking().Where(t => t.Kind == "unrecognised").OrderByDescending(t => t.Position)
            .Select(t => new UnrecognisedView(t.KciId, t.UpdateType, t.PayloadType, t.SequenceNumber, t.OrderId, t.HandledAt, t.Body))
            .PageAsync(page, http, ct);
        return TypedResults.Ok(view.Unmasked ? rows : rows.ConvertAll(r => r with { Body = view.Json(r.Body) }));
    }

    private static async Task<Results<Ok<List<OperatorAction>>, ValidationProblem>> OperatorActionsAsync(HandlersDb db, int? page, HttpContext http,
        CancellationToken ct) =>
        ListPages.Refuse(page) is { } refused ? refused
            : TypedResults.Ok(await db.OperatorActions.AsNoTracking().OrderByDescending(a => a.At).ThenByDescending(a => a.Id).PageAsync(page, http, ct));

    private static async Task<Results<Ok<List<NotificationView>>, ValidationProblem>> NotificationsAsync(HandlersDb db, string? state, int? page,
        HttpContext http, CancellationToken ct)
    {
        if (state is not (null or "pending" or "failed" or "delivered"))
            return Problems.Invalid("state", "must be pending, failed or delivered");
        if (ListPages.Refuse(page) is { } refused)
            return refused;
        var query = db.Notifications.AsNoTracking();
        if (state is not null)
            query = query.Where(n => n.State == state);
        return TypedResults.Ok(await query.OrderByDescending(n => n.Id)
            .Select(n => new NotificationView(n.Id, n.Subscription, n.KciId, n.State, n.Attempts, n.LastError, n.CreatedAt, n.NextAttemptAt, n.DeliveredAt))
            .PageAsync(page, http, ct));
    }
}
