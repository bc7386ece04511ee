using System.Text.Json;
using Kci.Handlers.DeadLetters;
using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

/// <summary>What an operator action came to: done (and recorded), or why not.</summary>
public abstract record OperatorOutcome
{
    /// <summary>Done: <paramref name="Record"/> is the audit row; <paramref name="Current"/> what the target is now.</summary>
    public sealed record Done(OperatorAction Record, object? Current) : OperatorOutcome;

    public sealed record NotFound(string Detail) : OperatorOutcome;

    public sealed record Invalid(string Field, string Message) : OperatorOutcome;

    /// <summary>The target no longer holds: <paramref name="Current"/> shows it as it is (an ignored command is still recorded).</summary>
    public sealed record Conflict(string Detail, object? Current) : OperatorOutcome;

    /// <summary>Well formed, but nothing this service can act on.</summary>
    public sealed record Unprocessable(string Field, string Message) : OperatorOutcome;
}

/// <summary>
/// Every operator action, whoever asks (the operations API or the console): checked against its target as it is now,
/// recorded with who and why in <c>operator_actions</c> in the same transaction as its effect, and logged.
/// </summary>
public sealed class OperatorCommands(HandlersDb db, TimeProvider clock, ILogger<OperatorCommands> logger)
{
    /// <summary>The commands that go to an order's saga, with the names the operations API gives them.</summary>
    public static readonly (string Command, string Name, string Summary)[] SagaCommands =
    [
        ("retry", "RetryBlockedKci", "Dispatch the blocked KCI again, with the rest of its run"),
        ("skip", "SkipKciOrGap", "Give up on the blocked or a dead-lettered KCI, or on the gap the order waits for"),
        ("unpark", "UnparkOrder", "Release an order parked for holding too many KCIs"),
        ("recover", "RecoverGap", "Ask the gateway's order read for the numbers the order misses, now"),
    ];

    /// <summary>
    /// Checks the command's target against the order as it is now (a conflict, recorded as ignored, when it no longer holds
    /// the order), then records the operator's action and sends the command to the order's saga, in one transaction. The
    /// saga checks the target again under its lock, and applies a command id only once.
    /// </summary>
    public async Task<OperatorOutcome> SendToOrderAsync(string command, string entityType, string entityId, OperatorCommandRequest body, string who,
        CancellationToken cancellationToken)
    {
        if (!OperatorRequest.IsValid(body.Base))
            return new OperatorOutcome.Invalid("reason", "is required");
        var orderId = NameBasedGuid.ForOrder(entityType, entityId);
        if (await SequencerReader.ForOrderAsync(db, orderId, cancellationToken) is not { } view)
            return new OperatorOutcome.NotFound($"The sequencer knows no order {entityType}/{entityId}");
        if (body.MissingTarget(command) is { } missing)
            return missing.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0
                ? new OperatorOutcome.Invalid(missing[..colon], missing[(colon + 2)..])
                : new OperatorOutcome.Invalid("body", missing);

        var now = clock.GetUtcNow();
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
        Log.OperatorAction(logger, who, command, record.Target, record.Reason, record.Outcome);
        return mismatch is null ? new OperatorOutcome.Done(record, null) : new OperatorOutcome.Conflict(mismatch, view);
    }

    /// <summary>Marks an open action item resolved; one resolved already is a conflict showing who resolved it.</summary>
    public async Task<OperatorOutcome> ResolveActionAsync(Guid id, OperatorRequest body, string who, CancellationToken cancellationToken)
    {
        if (!OperatorRequest.IsValid(body))
            return new OperatorOutcome.Invalid("reason", "is required");
        var action = await db.Actions.FindAsync([id], cancellationToken);
        if (action is null)
            return new OperatorOutcome.NotFound($"No action {id}");
        if (!action.Open)
            return new OperatorOutcome.Conflict($"The action was resolved already, by {action.ResolvedBy}", ActionsEndpoints.View(action));

        var now = clock.GetUtcNow();
        var reason = body.Reason!.Trim();
        ActionRules.Resolve(action, who, reason, now);
        var record = new OperatorAction { Command = "resolve-action", Target = id.ToString(), Operator = who, Reason = reason, At = now };
        db.OperatorActions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        Log.OperatorAction(logger, who, "resolve-action", id.ToString(), reason, "done");
        return new OperatorOutcome.Done(record, ActionsEndpoints.View(action));
    }

    /// <summary>
    /// Sends a dead letter back to the queue it faulted on (through the outbox, with its own message id), marks it replayed
    /// and records who and why, in one transaction. One replayed already is a conflict showing its state.
    /// </summary>
    public async Task<OperatorOutcome> ReplayDeadLetterAsync(long id, OperatorRequest body, string who, CancellationToken cancellationToken)
    {
        if (!OperatorRequest.IsValid(body))
            return new OperatorOutcome.Invalid("reason", "is required");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var letter = await db.DeadLetters.FromSql($"SELECT * FROM handlers.dead_letters WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (letter is null)
            return new OperatorOutcome.NotFound($"No dead letter {id}");
        if (letter.State != DeadLetterStates.Dead)
            return new OperatorOutcome.Conflict($"The dead letter is {letter.State} already", DeadLettersEndpoints.View(letter));

        var facts = EnvelopeReader.Read(letter.Envelope);
        var type = letter.MessageType.Contains('.', StringComparison.Ordinal) || letter.MessageType.Contains(':', StringComparison.Ordinal)
            ? null
            : typeof(KciReceived).Assembly.GetType($"Kci.Messages.{letter.MessageType}", throwOnError: false);
        if (type is null || facts.Message is not { } message)
            return new OperatorOutcome.Unprocessable("messageType", $"{letter.MessageType} cannot be replayed by the operations API");

        var now = clock.GetUtcNow();
        var reason = body.Reason!.Trim();
        db.Enqueue(letter.SourceQueue, message.Deserialize(type, JsonSerializerOptions.Web)!, letter.MessageId,
            correlationId: facts.CorrelationId, conversationId: facts.EnvelopeConversationId, faultQueue: facts.FaultQueue);
        letter.State = DeadLetterStates.Replayed;
        letter.ReplayedAt = now;
        letter.ReplayedBy = who;
        var record = new OperatorAction { Command = "replay-dead-letter", Target = $"dead-letter/{id}", Operator = who, Reason = reason, At = now };
        db.OperatorActions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.DeadLetterReplayed(logger, id, letter.MessageType, letter.Queue, letter.SourceQueue, who, reason);
        return new OperatorOutcome.Done(record, DeadLettersEndpoints.View(letter));
    }

    private static string Target(string command, OperatorCommandRequest body, SequencerView view) =>
        command == "recover" ? view.Targets.Gap is { } waiting ? $"gap {waiting.From}-{waiting.To}" : "no gap"
        : body.KciId is { } kci ? $"kci {kci}" : body.Gap is { } gap ? $"gap {gap.From}-{gap.To}" : body.ParkedAt is { } at ? $"parked at {at:O}" : "";
}

/// <summary>An <see cref="OperatorOutcome"/> as the operations API answers it: the result given for done, problem details otherwise.</summary>
public static class OperatorResults
{
    public static Results<TDone, ProblemHttpResult, ValidationProblem> Of<TDone>(OperatorOutcome outcome, Func<OperatorOutcome.Done, TDone> done)
        where TDone : IResult => outcome switch
    {
        OperatorOutcome.Done d => done(d),
        OperatorOutcome.Invalid i => Problems.Invalid(i.Field, i.Message),
        OperatorOutcome.NotFound n => Problems.NotFound(n.Detail),
        OperatorOutcome.Conflict c => Problems.Conflict(c.Detail, c.Current),
        OperatorOutcome.Unprocessable u => Problems.Unprocessable(u.Field, u.Message),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome}"),
    };
}
