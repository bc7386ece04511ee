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

    /// <summary><see cref="ToView"/> compiled once, for an item in memory.</summary>
    internal static readonly Func<ActionItem, ActionView> View = ToView.Compile();

    public static RouteGroupBuilder MapActionsEndpoints(this RouteGroupBuilder api)
    {
        var actions = api.MapGroup("/actions").WithTags("Actions");
        actions.MapGet("", ListAsync).WithName("ListActions").WithSummary("Action items, open or resolved");
        actions.MapPost("/{id:guid}/resolve", ResolveAsync).WithName("ResolveAction").WithSummary("Resolve an action item, recording who and why");
        return api;
    }

    private static async Task<Results<Ok<List<ActionView>>, ValidationProblem>> ListAsync(HandlersDb db, string? state, int? page, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (state is not (null or "open" or "resolved"))
            return Problems.Invalid("state", "must be open or resolved");
        if (ListPages.Refuse(page) is { } refused)
            return refused;
        var open = state != "resolved";
        return TypedResults.Ok(await db.Actions.AsNoTracking().Where(a => a.Open == open)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(ToView).PageAsync(page, http, cancellationToken));
    }

    private static async Task<Results<Ok<ActionView>, ProblemHttpResult, ValidationProblem>> ResolveAsync(Guid id,
        OperatorRequest body, ClaimsPrincipal user, OperatorCommands commands, CancellationToken cancellationToken) =>
        OperatorResults.Of(await commands.ResolveActionAsync(id, body, body.Who(user), cancellationToken), done => TypedResults.Ok((ActionView)done.Current!));
}
