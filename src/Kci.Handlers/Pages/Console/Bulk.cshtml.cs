using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.Pages.Console;

/// <summary>
/// One command for every order of a filtered waiting list. The preview counts and lists the orders it would act on, with
/// each one's target as it is now; confirming acts on exactly those, each checked again against its order (a target that
/// changed meanwhile is recorded as ignored, as one sent alone would be).
/// </summary>
public sealed class BulkModel(ConsoleQueries queries, OperatorCommands commands, IOptions<ConsoleOptions> options) : ListPageModel
{
    public override IReadOnlySet<string> Filters { get; } = new HashSet<string>();

    [BindProperty(SupportsGet = true)] public string? Command { get; set; }
    [BindProperty] public List<string> Targets { get; set; } = [];
    [BindProperty(Name = "reason-text")] public string? ReasonText { get; set; }
    [BindProperty(Name = "operator")] public string? OperatorName { get; set; }

    public List<(WaitingOrder Order, string Target, string Shown)> Preview { get; private set; } = [];
    public bool Truncated { get; private set; }
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Command is not ("retry" or "skip" or "unpark" or "recover"))
            return BadRequest();
        var limit = options.Value.BulkLimit;
        var rows = await (await queries.WaitingAsync(Filter, cancellationToken)).Take(limit + 1).ToListAsync(cancellationToken);
        Truncated = rows.Count > limit;
        Preview = [.. rows.Take(limit).Select(r => r.View()).Select(o => (o, Target: TargetOf(Command, o.Sequencer)))
            .Where(x => x.Target is not null).Select(x => (x.o, x.Target!.Value.Encoded, x.Target!.Value.Shown))];
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Command is not ("retry" or "skip" or "unpark" or "recover"))
            return BadRequest();
        if (string.IsNullOrWhiteSpace(ReasonText))
        {
            Problem = "A reason is required.";
            return await OnGetAsync(cancellationToken);
        }
        var who = new OperatorRequest(ReasonText, OperatorName).Who(User);
        int sent = 0, ignored = 0, failed = 0;
        foreach (var target in Targets.Take(options.Value.BulkLimit))
        {
            if (Decode(target) is not { } t)
            {
                failed++;
                continue;
            }
            var outcome = await commands.SendToOrderAsync(Command, t.EntityType, t.EntityId, t.Request with { Reason = ReasonText, Operator = OperatorName },
                who, cancellationToken);
            switch (outcome)
            {
                case OperatorOutcome.Done: sent++; break;
                case OperatorOutcome.Conflict: ignored++; break;
                default: failed++; break;
            }
        }
        TempData["Notice"] = $"{Command}: sent to {sent} orders" + (ignored > 0 ? $"; {ignored} ignored (their target changed since the preview)" : "")
            + (failed > 0 ? $"; {failed} not sent (unknown order or target)" : "") + ". Each is in Operator actions.";
        return Redirect("/console/audit");
    }

    /// <summary>What <paramref name="command"/> names for the order as it is now (its encoded form, and as shown), or null when it does not apply.</summary>
    internal static (string Encoded, string Shown)? TargetOf(string command, SequencerView s) => command switch
    {
        "retry" or "skip" when s.Targets.BlockedKciId is { } kci => ($"{s.EntityType}|{s.EntityId}|{Kci(kci)}", $"blocked KCI {kci}"),
        "skip" or "recover" when s.Targets.Gap is { } gap => ($"{s.EntityType}|{s.EntityId}|{Gap(gap)}", $"numbers {gap.From} to {gap.To}"),
        "skip" when s.Targets.DeadLetteredKciIds is [var first, ..] => ($"{s.EntityType}|{s.EntityId}|{Kci(first)}", $"dead-lettered KCI {first}"),
        "unpark" when s.Targets.ParkedAt is { } at => ($"{s.EntityType}|{s.EntityId}|{Parked(at)}", $"parked since {ConsoleFormat.Time(at)}"),
        _ => null,
    };

    /// <summary>A target as the forms carry it (<see cref="Decode"/> reads it back): a KCI, a gap, or when a parking began.</summary>
    public static string Kci(Guid kciId) => $"kci|{kciId}";

    public static string Gap(GapTarget gap) => $"gap|{gap.From}-{gap.To}";

    public static string Parked(DateTimeOffset at) => $"parked|{at.UtcTicks}";

    internal static (string EntityType, string EntityId, OperatorCommandRequest Request)? Decode(string encoded)
    {
        var parts = encoded.Split('|');
        if (parts.Length != 4)
            return null;
        OperatorCommandRequest? request = parts[2] switch
        {
            "kci" when Guid.TryParse(parts[3], out var kci) => new(null, null, kci, null, null),
            "gap" when parts[3].Split('-') is [var from, var to] && long.TryParse(from, out var f) && long.TryParse(to, out var t) =>
                new(null, null, null, new GapTarget(f, t), null),
            "parked" when long.TryParse(parts[3], out var ticks) && ticks > 0 && ticks < DateTimeOffset.MaxValue.UtcTicks =>
                new(null, null, null, null, new DateTimeOffset(ticks, TimeSpan.Zero)),
            _ => null,
        };
        return request is null ? null : (parts[0], parts[1], request);
    }
}
