using Kci.Handlers.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Operations;

/// <summary>
/// An order as the sequencer sees it: what is next, what is held, what is in flight and since when, and what it waits
/// for (<see cref="WaitingReason"/>: parked, blocked, dead-letter, gap, acknowledgement, or null), and when the gateway's order
/// read is next asked for its missing numbers (<see cref="RecoveryDue"/>; null without a gap, or with gap recovery off).
/// </summary>
public sealed record SequencerView(
    string EntityType, string EntityId, string State, long NextSequence, Guid? InFlightKciId, long? InFlightSequence,
    DateTimeOffset? InFlightSince, int? InFlightDispatches, DateTimeOffset? AckDeadline, DateTimeOffset? GapDeadline, bool Blocked, bool Parked,
    long[] HeldNumbers, long[] DeadLetteredNumbers, string? WaitingReason, DateTimeOffset WaitingSince, DateTimeOffset UpdatedAt,
    CommandTargets Targets, DateTimeOffset? RecoveryDue);

/// <summary>
/// What an operator command must name to act on the order as it is now: the blocked KCI (retry, skip), the dead-lettered
/// KCIs (skip), the gap it waits for (skip), the parking (unpark). A command naming anything else is answered 409.
/// </summary>
public sealed record CommandTargets(Guid? BlockedKciId, Guid[] DeadLetteredKciIds, GapTarget? Gap, DateTimeOffset? ParkedAt);

public sealed record GapTarget(long From, long To);

/// <summary>
/// Reads the sequencer through <c>sequencer.order_overview</c>, the view its migrations own (see the Sequencer's
/// <c>OrderOverview</c>): never its tables. Nothing here writes: changes go to the saga as commands.
/// </summary>
public static class SequencerReader
{
    /// <summary>How long a KCI may be in flight before its order counts as waiting on an acknowledgement.</summary>
    public static readonly TimeSpan AcknowledgementWait = TimeSpan.FromSeconds(10);

    public static async Task<SequencerView?> ForOrderAsync(HandlersDb db, Guid orderId, CancellationToken cancellationToken) =>
        await db.SequencerOrders.AsNoTracking().Where(o => o.CorrelationId == orderId).Select(ToView).SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Orders that wait: parked, blocked, on a dead letter, on a gap, on an acknowledgement for longer than
    /// <see cref="AcknowledgementWait"/>, or holding KCIs; the longest waiting first.
    /// </summary>
    public static async Task<List<SequencerView>> HeldAsync(HandlersDb db, DateTimeOffset? updatedSince, string? reason, int page, int pageSize,
        CancellationToken cancellationToken)
    {
        var query = Waiting(db, DateTimeOffset.UtcNow);
        if (updatedSince is { } since)
            query = query.Where(o => o.UpdatedAt >= since);
        if (!string.IsNullOrEmpty(reason))
            query = query.Where(o => o.WaitingReason == reason);
        return await query.OrderBy(o => o.WaitingSince).ThenBy(o => o.CorrelationId)
            .Skip((page - 1) * pageSize).Take(pageSize).Select(ToView).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The orders that wait at <paramref name="now"/>: parked, blocked, on a dead letter, on a gap, on an acknowledgement for
    /// longer than <see cref="AcknowledgementWait"/>, or holding KCIs.
    /// </summary>
    public static IQueryable<SequencerOrder> Waiting(HandlersDb db, DateTimeOffset now)
    {
        var ackSince = now - AcknowledgementWait;
        return db.SequencerOrders.AsNoTracking()
            .Where(o => (o.WaitingReason != null && o.WaitingReason != "acknowledgement") || o.HeldNumbers.Length > 0
                        || (o.WaitingReason == "acknowledgement" && o.WaitingSince < ackSince));
    }

    /// <summary><see cref="ToView"/> compiled once, for a row in memory.</summary>
    public static SequencerView View(SequencerOrder order) => Compiled(order);

    private static readonly System.Linq.Expressions.Expression<Func<SequencerOrder, SequencerView>> ToView = o => new SequencerView(
        o.EntityType, o.EntityId, o.CurrentState, o.NextSequence, o.InFlightKciId, o.InFlightSequence, o.InFlightSince, o.InFlightDispatches,
        o.AckDeadline, o.GapDeadline, o.Blocked, o.Parked, o.HeldNumbers, o.DeadLetteredNumbers, o.WaitingReason, o.WaitingSince, o.UpdatedAt,
        new CommandTargets(o.BlockedKciId, o.DeadLetteredKciIds, o.GapFrom != null && o.GapTo != null ? new GapTarget(o.GapFrom.Value, o.GapTo.Value) : null,
            o.ParkedAt), o.RecoveryDue);

    private static readonly Func<SequencerOrder, SequencerView> Compiled = ToView.Compile();
}
