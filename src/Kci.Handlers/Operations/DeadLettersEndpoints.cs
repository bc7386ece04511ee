using System.Security.Claims;
using System.Text.Json;
using Kci.Handlers.DeadLetters;
using Kci.Handlers.Persistence;
using Kci.Hosting.Persistence;
using Kci.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

public sealed record DeadLetterQueueSummary(string Queue, int Count, DateTimeOffset? OldestFaultedAt, string? LatestReason);

public sealed record DeadLetterView(long Id, string Queue, string SourceQueue, Guid MessageId, string MessageType, string? EntityType, string? EntityId,
    Guid? KciId, long? SequenceNumber, string? ConversationId, string? ExceptionType, string? ExceptionMessage, DateTimeOffset? FaultedAt,
    DateTimeOffset TakenAt, string State, DateTimeOffset? ReplayedAt, string? ReplayedBy);

/// <summary>Messages that faulted for good (see <see cref="DeadLetterIngest"/>): listed, summarised per queue, and replayed by an operator.</summary>
public static class DeadLettersEndpoints
{
    public static RouteGroupBuilder MapDeadLettersEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/dead-letters").WithTags("Dead letters");
        group.MapGet("", ListAsync).WithName("ListDeadLetters").WithSummary("Dead letters, waiting or replayed");
        group.MapGet("/summary", SummaryAsync).WithName("SummariseDeadLetters").WithSummary("Per dead-letter queue: how many wait, the oldest, the latest reason");
        group.MapPost("/{id:long}/replay", ReplayAsync).WithName("ReplayDeadLetter").WithSummary("Send a dead letter back to the queue it faulted on");
        return api;
    }

    internal static readonly System.Linq.Expressions.Expression<Func<DeadLetter, DeadLetterView>> ToView = d => new DeadLetterView(
        d.Id, d.Queue, d.SourceQueue, d.MessageId, d.MessageType, d.EntityType, d.EntityId, d.KciId, d.SequenceNumber, d.ConversationId,
        d.ExceptionType, d.ExceptionMessage, d.FaultedAt, d.TakenAt, d.State, d.ReplayedAt, d.ReplayedBy);

    /// <summary><see cref="ToView"/> compiled once, for a letter in memory.</summary>
    internal static readonly Func<DeadLetter, DeadLetterView> View = ToView.Compile();

    private static async Task<Results<Ok<List<DeadLetterView>>, ValidationProblem>> ListAsync(HandlersDb db, string? queue, string? state,
        int? page, HttpContext http, CancellationToken cancellationToken)
    {
        if (state is not (null or DeadLetterStates.Dead or DeadLetterStates.Replayed))
            return Problems.Invalid("state", "must be dead or replayed");
        if (ListPages.Refuse(page) is { } refused)
            return refused;
        var query = db.DeadLetters.AsNoTracking().Where(d => d.State == (state ?? DeadLetterStates.Dead));
        if (!string.IsNullOrEmpty(queue))
            query = query.Where(d => d.Queue == queue);
        return TypedResults.Ok(await query.OrderBy(d => d.FaultedAt ?? d.TakenAt).ThenBy(d => d.Id).Select(ToView).PageAsync(page, http, cancellationToken));
    }

    /// <summary>Per dead-letter queue: how many wait for an operator, the oldest, and the latest reason.</summary>
    private static async Task<Ok<List<DeadLetterQueueSummary>>> SummaryAsync(HandlersDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await SummariesAsync(db, cancellationToken));

    internal static async Task<List<DeadLetterQueueSummary>> SummariesAsync(HandlersDb db, CancellationToken cancellationToken)
    {
        var rows = await db.DeadLetters.AsNoTracking().Where(d => d.State == DeadLetterStates.Dead)
            .GroupBy(d => d.Queue)
            .Select(g => new
            {
                Queue = g.Key,
                Count = g.Count(),
                Oldest = g.Min(d => d.FaultedAt ?? d.TakenAt),
                LatestReason = g.OrderByDescending(d => d.Id).Select(d => d.ExceptionType).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.Queue, StringComparer.Ordinal).Select(r => new DeadLetterQueueSummary(r.Queue, r.Count, r.Oldest, r.LatestReason))];
    }

    /// <summary>Sends the message back to the queue it faulted on (<see cref="OperatorCommands.ReplayDeadLetterAsync"/>).</summary>
    private static async Task<Results<Accepted<DeadLetterView>, ProblemHttpResult, ValidationProblem>> ReplayAsync(long id, OperatorRequest body,
        ClaimsPrincipal user, OperatorCommands commands, CancellationToken cancellationToken) =>
        OperatorResults.Of(await commands.ReplayDeadLetterAsync(id, body, body.Who(user), cancellationToken),
            done => TypedResults.Accepted("/dead-letters?state=replayed", (DeadLetterView)done.Current!));
}
