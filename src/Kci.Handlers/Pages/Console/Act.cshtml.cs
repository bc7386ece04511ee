using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>
/// The confirmation of one operator action: it shows the target, asks for a reason, and only the confirmation acts, through
/// the same <see cref="OperatorCommands"/> as the operations API (recorded with who and why).
/// </summary>
public sealed class ActModel(OperatorCommands commands, HandlersDb db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Command { get; set; }
    [BindProperty(SupportsGet = true, Name = "type")] public string? EntityType { get; set; }
    [BindProperty(SupportsGet = true, Name = "id")] public string? EntityId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Target { get; set; }
    [BindProperty(SupportsGet = true, Name = "action")] public Guid? ActionId { get; set; }
    [BindProperty(SupportsGet = true)] public long? DeadLetter { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty(Name = "operator")] public string? OperatorName { get; set; }

    public string Title { get; private set; } = "";
    public string What { get; private set; } = "";
    public string? Problem { get; private set; }
    public string BackTo { get; private set; } = "/console";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await DescribeAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await DescribeAsync(cancellationToken))
            return NotFound();
        if (string.IsNullOrWhiteSpace(Reason))
        {
            Problem = "A reason is required: it is recorded with the action.";
            return Page();
        }
        var body = new OperatorRequest(Reason, OperatorName);
        var who = body.Who(User);
        var outcome = Command switch
        {
            "resolve-action" => await commands.ResolveActionAsync(ActionId!.Value, body, who, cancellationToken),
            "replay" => await commands.ReplayDeadLetterAsync(DeadLetter!.Value, body, who, cancellationToken),
            _ => await commands.SendToOrderAsync(Command!, EntityType!, EntityId!,
                BulkModel.Decode($"{EntityType}|{EntityId}|{Target}")!.Value.Request with { Reason = Reason, Operator = OperatorName }, who, cancellationToken),
        };
        if (outcome is OperatorOutcome.Done)
        {
            TempData["Notice"] = $"Done: {Title}. Recorded as {who}'s, with the reason given.";
            return Redirect(BackTo);
        }
        Problem = outcome switch
        {
            OperatorOutcome.Conflict c => $"Nothing was done: {c.Detail}. The order has moved on; look at it again.",
            OperatorOutcome.NotFound n => $"Nothing was done: {n.Detail}.",
            OperatorOutcome.Invalid i => $"Nothing was done: {i.Field} {i.Message}.",
            OperatorOutcome.Unprocessable u => $"Nothing was done: {u.Message}.",
            _ => "Nothing was done.",
        };
        return Page();
    }

    /// <summary>What the action is and what it acts on, or false when its target does not exist.</summary>
    private async Task<bool> DescribeAsync(CancellationToken cancellationToken)
    {
        switch (Command)
        {
            case "resolve-action" when ActionId is { } id:
                if (await db.Actions.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken) is not { } action)
                    return false;
                Title = "resolve an action item";
                What = $"Action {action.Type} (KCI #{action.SequenceNumber}) of order {action.EntityType}/{action.EntityId}: {action.WhatToDo}";
                BackTo = $"/console/orders/{action.EntityType}/{action.EntityId}";
                return true;
            case "replay" when DeadLetter is { } letterId:
                if (await db.DeadLetters.AsNoTracking().SingleOrDefaultAsync(d => d.Id == letterId, cancellationToken) is not { } letter)
                    return false;
                Title = "replay a dead letter";
                What = $"Dead letter {letter.Id}: {letter.MessageType} from {letter.Queue}, back to {letter.SourceQueue}"
                       + (letter.EntityType is null ? "" : $", order {letter.EntityType}/{letter.EntityId} #{letter.SequenceNumber}");
                BackTo = letter.EntityType is null ? "/console/dead-letters" : $"/console/orders/{letter.EntityType}/{letter.EntityId}";
                return true;
            case "retry" or "skip" or "unpark" or "recover" when EntityType is not null && EntityId is not null && Target is not null:
                if (BulkModel.Decode($"{EntityType}|{EntityId}|{Target}") is not { } decoded)
                    return false;
                var r = decoded.Request;
                var target = r.KciId is { } kci ? $"KCI {kci}" : r.Gap is { } gap ? $"numbers {gap.From} to {gap.To}" : $"the parking since {ConsoleFormat.Time(r.ParkedAt)}";
                Title = Command switch
                {
                    "retry" => "retry the blocked KCI",
                    "skip" => "skip for good",
                    "unpark" => "unpark the order",
                    _ => "ask the gateway's order read for the missing numbers",
                };
                What = $"Order {EntityType}/{EntityId}: {target}";
                BackTo = $"/console/orders/{EntityType}/{EntityId}";
                return true;
            default:
                return false;
        }
    }
}
