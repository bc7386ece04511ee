using System.Security.Claims;

namespace Kci.Handlers.Operations;

/// <summary>The body of every operator action: why, and (without a token) who.</summary>
public sealed record OperatorRequest(string? Reason, string? Operator)
{
    /// <summary>The authenticated caller wins over a name in the body.</summary>
    public string Who(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? user.FindFirst("sub")?.Value ?? user.Identity.Name ?? "authenticated"
            : string.IsNullOrWhiteSpace(Operator) ? "anonymous" : Operator.Trim();

    public static bool IsValid(OperatorRequest? request) => !string.IsNullOrWhiteSpace(request?.Reason);
}

/// <summary>
/// The body of retry, skip, unpark and recover: why, who (without a token), and the target the operator saw: <see cref="KciId"/>
/// (retry: the blocked KCI; skip: the blocked or a dead-lettered KCI), <see cref="Gap"/> (skip: the missing numbers the
/// order waits for) or <see cref="ParkedAt"/> (unpark: when the parking began). The order's <c>sequencer.targets</c>
/// shows each. Recover names none: it asks the gateway's order read for whatever the order misses now.
/// </summary>
public sealed record OperatorCommandRequest(string? Reason, string? Operator, Guid? KciId, GapTarget? Gap, DateTimeOffset? ParkedAt)
{
    public OperatorRequest Base => new(Reason, Operator);

    /// <summary>What is missing from the request for <paramref name="command"/>, or null when it names its target.</summary>
    public string? MissingTarget(string command) => command switch
    {
        "retry" when KciId is null => "kciId: is required (the blocked KCI, sequencer.targets.blockedKciId)",
        "skip" when KciId is null && Gap is null => "kciId or gap: one is required (sequencer.targets)",
        "skip" when KciId is not null && Gap is not null => "kciId and gap: name one target, not both",
        "skip" when Gap is { From: var from, To: var to } && (from < 1 || to < from) => "gap: from must be >= 1 and to >= from",
        "unpark" when ParkedAt is null => "parkedAt: is required (sequencer.targets.parkedAt)",
        _ => null,
    };

    /// <summary>Why the target does not hold the order as it is now, or null when it does.</summary>
    public string? Mismatch(string command, CommandTargets now) => command switch
    {
        "retry" when now.BlockedKciId != KciId => $"KCI {KciId} is not the blocked one",
        "skip" when KciId is { } id && now.BlockedKciId != id && !now.DeadLetteredKciIds.Contains(id) => $"KCI {id} neither blocks the order nor lies in a dead-letter queue",
        "skip" when Gap is { } gap && now.Gap != gap => $"the order does not wait for numbers {gap.From} to {gap.To}",
        "unpark" when now.ParkedAt is not { } parkedAt || parkedAt.UtcTicks / 10 != ParkedAt!.Value.UtcTicks / 10 => $"the order is not parked since {ParkedAt:O}",
        "recover" when now.Gap is null => "the order does not wait for a missing number",
        _ => null,
    };
}
