using System.Linq.Expressions;
using System.Security.Claims;
using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

public sealed record ActionView(
    Guid Id, string EntityType, string EntityId, long SequenceNumber, string Type, string? Code, string? Text, string WhatToDo,
    string? DueBy, bool Open, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution);

/// <summary>What the tenant has to do, and operators marking it done.</summary>
public static class ActionsEndpoints
{
    public static readonly Expression<Func<ActionItem, ActionView>> ToView = a => new ActionView(a.Id, a.EntityType, a.EntityId,
        a.SequenceNumber, a.Type, a.Code, a.Text, a.WhatToDo, a.DueBy, a.Open, a.CreatedAt, a.ResolvedAt, a.ResolvedBy, a.Resolution);

    public static RouteGroupBuilder MapActionsEndpoints(this RouteGroupBuilder api)
    {
        var actions = api.MapGroup("/actions").WithTags("Actions");
        actions.MapGet("", ListAsync).WithName("ListActions").WithSummary("Action items, open or resolved");
        actions.MapPost("/{id:guid}/resolve", ResolveAsync).WithName("ResolveAction").WithSummary("Resolve an action item, recording who and why");
        return api;
    }

    private static async Task<Results<Ok<List<ActionView>>, ValidationProblem>> ListAsync(HandlersDb db, string? state, CancellationToken cancellationToken)
    {
        if (state is not (null or "open" or "resolved"))
            return Problems.Invalid("state", "must be open or resolved");
        var open = state != "resolved";
        return TypedResults.Ok(await db.Actions.AsNoTracking().Where(a => a.Open == open)
            .OrderBy(a => a.CreatedAt).Take(500).Select(ToView).ToListAsync(cancellationToken));
    }

    private static async Task<Results<Ok<ActionView>, ProblemHttpResult, ValidationProblem>> ResolveAsync(Guid id,
        OperatorRequest body, ClaimsPrincipal user, HandlersDb db, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        if (!OperatorRequest.IsValid(body))
            return Problems.Invalid("reason", "is required");
        var action = await db.Actions.FindAsync([id], cancellationToken);
        if (action is null)
            return Problems.NotFound($"No action {id}");
        if (!action.Open)
            return Problems.Conflict($"The action was resolved already, by {action.ResolvedBy}", ToView.Compile()(action));

        var now = clock.GetUtcNow();
        var who = body.Who(user);
        ActionRules.Resolve(action, who, body.Reason!.Trim(), now);
        db.OperatorActions.Add(new OperatorAction { Command = "resolve-action", Target = id.ToString(), Operator = who, Reason = body.Reason.Trim(), At = now });
        await db.SaveChangesAsync(cancellationToken);
        Log.OperatorAction(logs.CreateLogger("Kci.Handlers.Operations"), who, "resolve-action", id.ToString(), body.Reason.Trim(), "done");
        return TypedResults.Ok(ToView.Compile()(action));
    }
}
