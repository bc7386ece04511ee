using Kci.Handlers.Persistence;
using Kci.Messages;

namespace Kci.Handlers.Recording;

/// <summary>
/// When an action item is opened, and which later KCI shows it was dealt with (docs/handlers.md).
/// Plain code, unit-tested; the consumers only call it.
/// </summary>
public static class ActionRules
{
    /// <summary>Entity statuses after which nothing more can be asked of the tenant.</summary>
    public static readonly HashSet<string> FinalStatuses = ["COMPLETED", "CANCELLED", "FAILED_TO_SEND", "FAILED", "TERMINATED"];

    private static readonly Dictionary<string, string[]> ResolvedBy = new()
    {
        ["REAPPOINT"] = ["REAPPOINTED", "COMMITTED"],
        ["INFORMATION_REQUIRED"] = ["AMENDED"],
        ["RESUBMIT"] = ["ACKNOWLEDGED", "COMMITTED"],
    };

    /// <summary>What the tenant has to do, in plain words (spec README, updateType table).</summary>
    public static string WhatToDo(string type, string? dueBy = null) => type switch
    {
        "INFORMATION_REQUIRED" => "The supplier needs more information: send an amendment with what is missing.",
        "REAPPOINT" => "The appointment cannot go ahead: book a new appointment and send an amendment with it.",
        "RESUBMIT" => "Our order, amendment or cancellation was rejected: correct it and send it again.",
        "CONFIRM" => "The supplier says the service problem is resolved: accept or reject the resolution.",
        "REVIEW_CEASE" => $"Another provider is taking this service over: review the unsolicited cease and cancel it{(dueBy is null ? "" : $" before {dueBy}")} if it is wrong.",
        _ => $"The gateway asked for an action this version does not know ({type}): read the KCI's text and act on it.",
    };

    public static ActionItem ForActionKci(ReleasedKci kci, KciFacts facts, DateTimeOffset now) => new()
    {
        Id = kci.KciId,
        OrderId = kci.OrderId,
        EntityType = kci.Order.EntityType,
        EntityId = kci.Order.EntityId,
        SequenceNumber = kci.SequenceNumber,
        Type = facts.PayloadType ?? "UNKNOWN",
        Code = facts.Code,
        Text = facts.Text,
        WhatToDo = WhatToDo(facts.PayloadType ?? "UNKNOWN"),
        CreatedAt = now,
    };

    /// <summary>An unsolicited cease starts with an INFORMATIONAL CREATED KCI: the tenant should review it in time.</summary>
    public static ActionItem? ForUnsolicitedCease(ReleasedKci kci, KciFacts facts, DateTimeOffset now) =>
        kci.Order.EntityType == "UNSOLICITED_CEASE_ORDER" && facts.PayloadType == "CREATED"
            ? new ActionItem
            {
                Id = kci.KciId,
                OrderId = kci.OrderId,
                EntityType = kci.Order.EntityType,
                EntityId = kci.Order.EntityId,
                SequenceNumber = kci.SequenceNumber,
                Type = "REVIEW_CEASE",
                Code = facts.Code,
                Text = facts.Text,
                DueBy = facts.RequestedCeaseDate,
                WhatToDo = WhatToDo("REVIEW_CEASE", facts.RequestedCeaseDate),
                CreatedAt = now,
            }
            : null;

    /// <summary>
    /// The open actions of an order that <paramref name="kci"/> shows dealt with. Only a KCI numbered after the
    /// action counts, and never a late one: older news cannot answer a newer request.
    /// </summary>
    public static IEnumerable<(ActionItem Action, string Resolution)> ResolvedByKci(IEnumerable<ActionItem> open, ReleasedKci kci, KciFacts facts)
    {
        if (kci.Late)
            yield break;
        var final = facts.EntityStatus is { } status && FinalStatuses.Contains(status);
        foreach (var action in open.Where(a => a.Open && a.SequenceNumber < kci.SequenceNumber))
        {
            if (kci.UpdateType == "INFORMATIONAL" && facts.PayloadType is { } type
                && ResolvedBy.TryGetValue(action.Type, out var answers) && answers.Contains(type))
                yield return (action, $"{type} KCI #{kci.SequenceNumber}");
            else if (final)
                yield return (action, $"order reached {facts.EntityStatus} (KCI #{kci.SequenceNumber})");
        }
    }

    public static void Resolve(ActionItem action, string by, string resolution, DateTimeOffset now, Guid? kciId = null)
    {
        action.Open = false;
        action.ResolvedAt = now;
        action.ResolvedBy = by;
        action.Resolution = resolution;
        action.ResolvedByKciId = kciId;
    }
}
