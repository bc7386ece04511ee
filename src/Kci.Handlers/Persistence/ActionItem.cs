namespace Kci.Handlers.Persistence;

/// <summary>Something the tenant has to do about an order: one per ACTION_REQUIRED KCI, or a cease to review.</summary>
public sealed class ActionItem
{
    /// <summary>The id of the KCI that asked for it.</summary>
    public Guid Id { get; set; }

    public Guid OrderId { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public long SequenceNumber { get; set; }

    /// <summary>INFORMATION_REQUIRED, REAPPOINT, RESUBMIT, CONFIRM, REVIEW_CEASE, or what the gateway sent.</summary>
    public required string Type { get; set; }

    public string? Code { get; set; }
    public string? Text { get; set; }

    /// <summary>What the tenant has to do, in plain words.</summary>
    public required string WhatToDo { get; set; }

    /// <summary>When it must be done by, where the KCI says (an unsolicited cease's requestedCeaseDate).</summary>
    public string? DueBy { get; set; }

    public bool Open { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>"kci" when a later KCI showed it was dealt with, otherwise the operator who resolved it.</summary>
    public string? ResolvedBy { get; set; }

    public string? Resolution { get; set; }
    public Guid? ResolvedByKciId { get; set; }
}
