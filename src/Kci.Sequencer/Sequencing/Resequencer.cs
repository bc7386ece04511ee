using Kci.Messages;

namespace Kci.Sequencer.Sequencing;

/// <summary>A run of numbers skipped because the gap timed out: <see cref="From"/> to <see cref="To"/> inclusive.</summary>
public sealed record SkippedGap(long From, long To)
{
    public long Count => To - From + 1;
}

/// <summary>What one event did to an order: the run of KCIs to dispatch now (in order) and the gaps it skipped.</summary>
public sealed record SequencingOutcome
{
    public static readonly SequencingOutcome Duplicate = new() { IsDuplicate = true };
    public static readonly SequencingOutcome Ignored = new() { IsIgnored = true };

    /// <summary>An operator command that did not apply, and why (its target no longer holds the order, or it came twice).</summary>
    public static SequencingOutcome IgnoredBecause(string reason) => new() { IsIgnored = true, IgnoredReason = reason };

    public IReadOnlyList<SequencedKci> Released { get; init; } = [];
    public IReadOnlyList<SkippedGap> Gaps { get; init; } = [];

    /// <summary>Every KCI that arrived was known already.</summary>
    public bool IsDuplicate { get; init; }

    /// <summary>Of several KCIs that arrived together, those known already.</summary>
    public IReadOnlyList<Guid> DuplicateKciIds { get; init; } = [];

    public bool IsIgnored { get; init; }
    public string? IgnoredReason { get; init; }
    public bool BecameParked { get; init; }

    /// <summary>The release is the in-flight run again: after its acknowledgement timed out, or the rest of it after Handlers
    /// stopped before a KCI that failed.</summary>
    public bool IsRedispatch { get; init; }
}

/// <summary>
/// The release rules of docs/ordering.md as plain code, independent of MassTransit: the saga calls these
/// and dispatches what they return. Every method changes <see cref="OrderSequence"/> in place.
/// </summary>
public static class Resequencer
{
    public static OrderSequence Start(KciReceived kci, DateTimeOffset now) => new()
    {
        CorrelationId = kci.OrderId,
        EntityType = kci.Order.EntityType,
        EntityId = kci.Order.EntityId,
        Supplier = kci.Supplier,
        ConversationId = kci.ConversationId,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>A KCI arrived: hold it, then release whatever may go now.</summary>
    public static SequencingOutcome Accept(OrderSequence order, KciReceived kci, DateTimeOffset now, SequencerOptions options) =>
        Accept(order, [kci], now, options);

    /// <summary>
    /// KCIs of this order arrived together (a batch, in arrival order): each is held, then whatever may go now is released,
    /// as one run. A KCI whose predecessors arrived in the same batch therefore goes with them rather than after them.
    /// </summary>
    public static SequencingOutcome Accept(OrderSequence order, IReadOnlyList<KciReceived> kcis, DateTimeOffset now, SequencerOptions options)
    {
        var duplicates = new List<Guid>();
        var becameParked = false;
        foreach (var kci in kcis)
        {
            var known = order.Kcis.Find(k => k.KciId == kci.KciId);
            if (known is { Status: KciStatus.DeadLettered })
            {
                known.Status = KciStatus.Held; // replayed from the dead letters: it takes its place
                known.Body = kci.Body;
            }
            else if (known is not null)
            {
                duplicates.Add(kci.KciId);
                continue;
            }
            else
                order.Kcis.Add(Track(order, kci, KciStatus.Held, kci.Body));
            order.ConversationId = kci.ConversationId;

            if (!order.Parked && HeldBehindAGap(order) > options.MaxHeldPerOrder)
            {
                order.Parked = true;
                order.ParkedAt = now;
                becameParked = true;
            }
        }
        if (duplicates.Count == kcis.Count)
            return SequencingOutcome.Duplicate with { DuplicateKciIds = duplicates };

        return Advance(order, now, options) with { BecameParked = becameParked, DuplicateKciIds = duplicates };
    }

    /// <summary>
    /// Handlers reported the in-flight run handled up to and including <paramref name="kciId"/>: the next run may go. When
    /// they stopped before the run's end (a KCI failed there), the rest of the run goes again, the failing KCI first, so that
    /// it faults alone.
    /// </summary>
    public static SequencingOutcome Handled(OrderSequence order, Guid kciId, DateTimeOffset handledAt, DateTimeOffset now, SequencerOptions options)
    {
        var run = InFlightRun(order);
        var last = run.FindIndex(k => k.KciId == kciId);
        if (last < 0)
            return SequencingOutcome.Ignored; // a repeated report, or one for a KCI an operator skipped

        foreach (var kci in run.Take(last + 1))
        {
            kci.Status = KciStatus.Handled;
            kci.HandledAt = handledAt;
            kci.Body = null;
        }
        order.Blocked = false;
        return Continue(order, run.Skip(last + 1).ToList(), now, options, redispatch: true);
    }

    /// <summary>
    /// The in-flight run's acknowledgement did not come within <see cref="SequencerOptions.AckTimeout"/> (its release or its
    /// <see cref="KciHandled"/> was lost, dead-lettered or stuck): it is dispatched again. Handlers that recorded it already
    /// acknowledge again without repeating anything, so the order moves on either way.
    /// </summary>
    public static SequencingOutcome AckTimedOut(OrderSequence order, Guid kciId, DateTimeOffset now, SequencerOptions options)
    {
        if (order.InFlightKciId != kciId || order.Blocked || order.AckDeadline is not { } deadline || deadline > now
            || InFlightRun(order) is not { Count: > 0 } run)
            return SequencingOutcome.Ignored;
        return Resume(order, run, now, options, redispatch: true);
    }

    /// <summary>
    /// A <see cref="KciReceived"/> of this order faulted for good and lies in a dead-letter queue. Its number must not pass
    /// for a gap: the order keeps a placeholder, releases nothing past it and runs no gap clock until an operator replays
    /// the message (it then takes its place, see <see cref="Accept"/>) or skips it.
    /// </summary>
    public static SequencingOutcome DeadLettered(OrderSequence order, KciReceived kci, DateTimeOffset now, SequencerOptions options)
    {
        if (order.Kcis.Exists(k => k.KciId == kci.KciId))
            return SequencingOutcome.Ignored; // it was received after all (a replay, or a copy that went through)
        order.Kcis.Add(Track(order, kci, KciStatus.DeadLettered, body: null));
        return Advance(order, now, options);
    }

    /// <summary>The stored gap deadline passed: every number missing below the highest held one counts as skipped.</summary>
    public static SequencingOutcome GapTimedOut(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        if (order.GapDeadline is not { } deadline || deadline > now)
            return SequencingOutcome.Ignored;

        // Never past a number whose KCI lies in a dead-letter queue: that one waits for an operator.
        var highestHeld = HeldAhead(order).Select(k => k.SequenceNumber).DefaultIfEmpty(0).Max();
        order.SkipThrough = Math.Max(order.SkipThrough, DeadLetterBarrier(order) is { } barrier ? Math.Min(highestHeld, barrier - 1) : highestHeld);
        order.GapDeadline = null;
        order.RecoveryDue = null;
        return Advance(order, now, options);
    }

    /// <summary>Handling of the in-flight KCI failed for good: the order is blocked until an operator acts.</summary>
    public static SequencingOutcome Failed(OrderSequence order, Guid kciId, DateTimeOffset now)
    {
        var kci = order.Kcis.Find(k => k.KciId == kciId);
        if (kci is null || order.InFlightKciId != kciId)
            return SequencingOutcome.Ignored; // the rest of its run stays released, and goes again with it on a retry
        kci.Status = KciStatus.Failed;
        order.Blocked = true;
        order.AckDeadline = null;
        order.UpdatedAt = now;
        return new SequencingOutcome();
    }

    /// <summary>
    /// Operator: dispatch the blocked KCI again, with the rest of its run, if <paramref name="command"/> names the KCI that is
    /// blocked.
    /// </summary>
    public static SequencingOutcome RetryBlocked(OrderSequence order, RetryBlockedKci command, DateTimeOffset now, SequencerOptions options)
    {
        if (Repeated(order, command.CommandId) is { } repeated)
            return repeated;
        var kci = order.Kcis.Find(k => k.KciId == order.InFlightKciId);
        if (!order.Blocked || kci is null || kci.KciId != command.KciId)
            return SequencingOutcome.IgnoredBecause($"KCI {command.KciId} is not the blocked one");
        order.LastCommandId = command.CommandId;
        order.Blocked = false;
        kci.Status = KciStatus.Released;
        var outcome = Resume(order, InFlightRun(order), now, options, redispatch: false);
        foreach (var released in outcome.Released)
            released.ReleasedAt = now;
        return outcome;
    }

    /// <summary>
    /// Operator: give up on the blocked KCI or a dead-lettered one (its number then counts as skipped), or stop waiting for
    /// the gap the order waits on, and move on: only if the command's target is still what holds the order.
    /// </summary>
    public static SequencingOutcome Skip(OrderSequence order, SkipKci command, DateTimeOffset now, SequencerOptions options)
    {
        if (Repeated(order, command.CommandId) is { } repeated)
            return repeated;

        if (command.KciId is { } kciId)
        {
            if (order.Blocked && order.InFlightKciId == kciId && order.Kcis.Find(k => k.KciId == kciId) is { } blocked)
            {
                order.LastCommandId = command.CommandId;
                var rest = InFlightRun(order).Skip(1).ToList();
                blocked.Status = KciStatus.Skipped;
                blocked.Body = null;
                order.Blocked = false;
                return Continue(order, rest, now, options, redispatch: false); // the rest of its run goes on
            }
            if (order.Kcis.Find(k => k.KciId == kciId) is { Status: KciStatus.DeadLettered } placeholder)
            {
                order.LastCommandId = command.CommandId;
                placeholder.Status = KciStatus.Skipped;
                if (placeholder.SequenceNumber >= order.NextSequence)
                    order.SkipThrough = Math.Max(order.SkipThrough, placeholder.SequenceNumber);
                return Advance(order, now, options);
            }
            return SequencingOutcome.IgnoredBecause($"KCI {kciId} neither blocks the order nor lies in a dead-letter queue");
        }

        if (command is { GapFrom: { } from, GapTo: { } to })
        {
            if (CurrentGap(order) != (from, to))
                return SequencingOutcome.IgnoredBecause($"the order does not wait for numbers {from} to {to}");
            // Exactly the numbers named: a later gap behind them keeps its own clock.
            order.LastCommandId = command.CommandId;
            order.SkipThrough = Math.Max(order.SkipThrough, to);
            order.GapDeadline = null;
            order.RecoveryDue = null;
            return Advance(order, now, options);
        }
        return SequencingOutcome.IgnoredBecause("the command names no KCI and no gap");
    }

    /// <summary>Operator: release an order parked for holding too many KCIs, if it is still the parking the operator saw.</summary>
    public static SequencingOutcome Unpark(OrderSequence order, UnparkOrder command, DateTimeOffset now, SequencerOptions options)
    {
        if (Repeated(order, command.CommandId) is { } repeated)
            return repeated;
        if (!order.Parked || order.ParkedAt != command.ParkedAt)
            return SequencingOutcome.IgnoredBecause($"the order is not parked since {command.ParkedAt:O}");
        order.LastCommandId = command.CommandId;
        order.Parked = false;
        order.ParkedAt = null;
        return Advance(order, now, options);
    }

    /// <summary>
    /// Operator: ask the gateway's order read for the missing numbers now (the next round of <c>GapRecoverer</c>), if the order
    /// waits on a gap and recovery is on.
    /// </summary>
    public static SequencingOutcome RecoverNow(OrderSequence order, RecoverGap command, DateTimeOffset now, SequencerOptions options)
    {
        if (Repeated(order, command.CommandId) is { } repeated)
            return repeated;
        if (!options.GapRecovery)
            return SequencingOutcome.IgnoredBecause("gap recovery is off (Gateway:BaseUrl is not set)");
        if (CurrentGap(order) is null)
            return SequencingOutcome.IgnoredBecause("the order does not wait for a missing number");
        order.LastCommandId = command.CommandId;
        order.RecoveryDue = now;
        order.UpdatedAt = now;
        return new SequencingOutcome();
    }

    /// <summary>
    /// The numbers the gateway's order read may fill: every number from where the order stands up to its highest held KCI that
    /// no KCI of the order carries (not only the gap it waits on: the ones behind it too), the lowest <paramref name="limit"/>.
    /// </summary>
    public static List<long> MissingNumbers(OrderSequence order, int limit) =>
        MissingNumbers(order.NextSequence, order.SkipThrough, order.Kcis.Select(k => (k.SequenceNumber, k.Status)).ToList(), limit);

    /// <inheritdoc cref="MissingNumbers(OrderSequence, int)"/>
    public static List<long> MissingNumbers(long nextSequence, long skipThrough, IReadOnlyCollection<(long Number, KciStatus Status)> kcis, int limit)
    {
        var missing = new List<long>();
        var highestHeld = kcis.Where(k => k.Status == KciStatus.Held && k.Number >= nextSequence).Select(k => (long?)k.Number).Max();
        if (highestHeld is not { } highest)
            return missing;
        var from = Math.Max(nextSequence, skipThrough == long.MaxValue ? long.MaxValue : skipThrough + 1);
        // Walk the known numbers rather than the range between them, which may be as wide as a long.
        foreach (var number in kcis.Select(k => k.Number).Where(n => n >= from && n <= highest).Distinct().Order())
        {
            for (var n = from; n < number && missing.Count < limit; n++)
                missing.Add(n);
            if (missing.Count >= limit || number == long.MaxValue)
                break;
            from = number + 1;
        }
        return missing;
    }

    /// <summary>The missing numbers the order waits for (null when it waits on no gap): what a skip of a gap must name.</summary>
    public static (long From, long To)? CurrentGap(OrderSequence order)
    {
        if (order.GapDeadline is null)
            return null;
        var lowestAhead = HeldAhead(order).Select(k => (long?)k.SequenceNumber).Min();
        if (lowestAhead is not { } lowest)
            return null;
        var from = Math.Max(order.NextSequence, order.SkipThrough == long.MaxValue ? long.MaxValue : order.SkipThrough + 1);
        return from <= lowest - 1 ? (from, lowest - 1) : null;
    }

    private static SequencingOutcome? Repeated(OrderSequence order, Guid commandId) =>
        order.LastCommandId == commandId ? SequencingOutcome.IgnoredBecause($"command {commandId} was applied already") : null;

    /// <summary>A KCI of <paramref name="order"/> as the sequencer keeps it, in its arrival order.</summary>
    private static SequencedKci Track(OrderSequence order, KciReceived kci, KciStatus status, string? body) => new()
    {
        KciId = kci.KciId,
        OrderId = order.CorrelationId,
        SequenceNumber = kci.SequenceNumber,
        Arrival = order.Kcis.Count,
        Status = status,
        UpdateType = kci.UpdateType,
        PayloadType = kci.PayloadType,
        ConversationId = kci.ConversationId,
        RequestId = kci.RequestId,
        ReceivedAt = kci.ReceivedAt,
        Body = body,
        RecoveredFrom = kci.RecoveredFrom,
    };

    /// <summary>
    /// The run with Handlers, in order: the in-flight KCI first (released, or failed and blocking the order), then the KCIs
    /// released with it that Handlers have not reported handled. Empty when nothing is in flight.
    /// </summary>
    public static List<SequencedKci> InFlightRun(OrderSequence order)
    {
        if (order.InFlightKciId is not { } first || order.Kcis.Find(k => k.KciId == first) is not { } head)
            return [];
        return [head, .. order.Kcis.Where(k => k.Status == KciStatus.Released && k != head).OrderBy(k => k, RunOrder)];
    }

    /// <summary>The order a run is released in: by number, then ingress time, then arrival at the saga.</summary>
    private static readonly Comparer<SequencedKci> RunOrder = Comparer<SequencedKci>.Create((a, b) =>
        a.SequenceNumber != b.SequenceNumber ? a.SequenceNumber.CompareTo(b.SequenceNumber)
        : a.ReceivedAt != b.ReceivedAt ? a.ReceivedAt.CompareTo(b.ReceivedAt)
        : a.Arrival.CompareTo(b.Arrival));

    /// <summary>Bodies a run carries at most, beyond its first KCI: a message stays a reasonable size.</summary>
    public const int RunBodyBudget = 1024 * 1024;

    /// <summary>
    /// Dispatch (part of) the in-flight run again, from <paramref name="run"/>'s first KCI; <paramref name="redispatch"/> when
    /// it goes again because its first dispatch did not get through, not because an operator sent it on.
    /// </summary>
    private static SequencingOutcome Resume(OrderSequence order, List<SequencedKci> run, DateTimeOffset now, SequencerOptions options,
        bool redispatch)
    {
        foreach (var kci in run)
            kci.ReleaseCount = checked(kci.ReleaseCount + 1);
        order.InFlightKciId = run[0].KciId;
        order.AckDeadline = now + options.AckTimeout;
        order.UpdatedAt = now;
        return new SequencingOutcome { Released = run, IsRedispatch = redispatch };
    }

    /// <summary>The in-flight run's first KCIs are done with: what is left of it goes again, or else the next run may go.</summary>
    private static SequencingOutcome Continue(OrderSequence order, List<SequencedKci> rest, DateTimeOffset now, SequencerOptions options,
        bool redispatch)
    {
        if (rest.Count > 0)
            return Resume(order, rest, now, options, redispatch);
        order.InFlightKciId = null;
        order.AckDeadline = null;
        return Advance(order, now, options);
    }

    private static SequencingOutcome Advance(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        var released = new List<SequencedKci>(1);
        var gaps = new List<SkippedGap>();
        order.UpdatedAt = now;

        // One run of an order with Handlers at a time: the next goes when this one is handled. A run is the next KCI and the
        // held ones due right after it, while they go to the same queue and the run stays within its limits.
        if (order.InFlightKciId is null && !order.Blocked && !order.Parked && PickNext(order, gaps) is { } first)
        {
            Release(order, first, now);
            released.Add(first);
            var queue = ReleaseRoute.QueueFor(order.EntityType, first.UpdateType);
            var bytes = 0L;
            while (released.Count < options.MaxRunLength && NextDue(order) is { } next
                   && ReleaseRoute.QueueFor(order.EntityType, next.UpdateType) == queue
                   && (bytes += next.Body?.Length ?? 0) <= RunBodyBudget)
            {
                Release(order, next, now);
                released.Add(next);
            }
            order.InFlightKciId = first.KciId;
            order.AckDeadline = now + options.AckTimeout;
        }

        RearmGapDeadline(order, now, options);
        return new SequencingOutcome { Released = released, Gaps = gaps };
    }

    /// <summary>Due now: the next number, or a held KCI whose number is already behind us (late, or a conflict).</summary>
    private static SequencedKci? NextDue(OrderSequence order) => order.Kcis
        .Where(k => k.Status == KciStatus.Held && k.SequenceNumber <= order.NextSequence)
        .OrderBy(k => k, RunOrder)
        .FirstOrDefault();

    private static SequencedKci? PickNext(OrderSequence order, List<SkippedGap> gaps)
    {
        if (NextDue(order) is { } due)
            return due;

        // Nothing goes past a number whose KCI lies in a dead-letter queue.
        var barrier = DeadLetterBarrier(order);
        var lowestAhead = HeldAhead(order).Where(k => barrier is null || k.SequenceNumber < barrier)
            .OrderBy(k => k, RunOrder).FirstOrDefault();
        if (lowestAhead is null || lowestAhead.SequenceNumber - 1 > order.SkipThrough)
            return null; // numbers before it are still awaited

        // The gap before it timed out: skip the missing numbers.
        var gap = new SkippedGap(order.NextSequence, lowestAhead.SequenceNumber - 1);
        gaps.Add(gap);
        lowestAhead.GapBefore = gap.Count;
        order.NextSequence = lowestAhead.SequenceNumber;
        return lowestAhead;
    }

    private static void Release(OrderSequence order, SequencedKci kci, DateTimeOffset now)
    {
        var numberWasReleased = order.Kcis.Exists(k => k != kci && k.SequenceNumber == kci.SequenceNumber
            && k.Status is KciStatus.Released or KciStatus.Handled or KciStatus.Failed or KciStatus.Skipped);
        if (numberWasReleased)
            kci.SequenceConflict = true;
        else if (kci.SequenceNumber < order.NextSequence)
            kci.Late = true;
        else
            order.NextSequence = kci.SequenceNumber == long.MaxValue ? long.MaxValue : kci.SequenceNumber + 1;

        kci.Status = KciStatus.Released;
        kci.ReleasedAt = now;
        kci.ReleaseCount = checked(kci.ReleaseCount + 1);
    }

    /// <summary>
    /// The gap clock runs while the lowest held number is above the next expected one, unless a dead-lettered KCI stands
    /// first in line: that one waits for an operator, not for a timeout.
    /// </summary>
    private static void RearmGapDeadline(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        var barrier = DeadLetterBarrier(order);
        var lowestAhead = HeldAhead(order).Select(k => (long?)k.SequenceNumber).Min();
        var waitingOnGap = lowestAhead is { } lowest && lowest > order.NextSequence && lowest - 1 > order.SkipThrough
            && (barrier is null || (order.NextSequence < barrier && order.SkipThrough < barrier - 1));
        if (!waitingOnGap)
        {
            order.GapDeadline = null;
            order.RecoveryDue = null;
        }
        else if (order.GapDeadline is null)
        {
            order.GapDeadline = now + options.GapTimeoutFor(order.Supplier);
            order.RecoveryDue = options.GapRecovery ? now + options.GapRecoveryAfterFor(order.Supplier) : null;
        }
    }

    /// <summary>
    /// Held KCIs that cannot go until a missing number arrives (or its gap times out). KCIs that only wait for
    /// the one in flight drain by themselves and do not count: an order parks only when it piles up behind a gap,
    /// and after an operator unparks it, the missing number's arrival lets it drain.
    /// </summary>
    private static int HeldBehindAGap(OrderSequence order)
    {
        // The first missing number: walk the held numbers in order from where the order stands (never the range
        // between them, which may be as wide as a long), so the cost grows with the KCIs held, not with their numbers.
        var firstMissing = order.SkipThrough >= order.NextSequence
            ? (order.SkipThrough == long.MaxValue ? long.MaxValue : order.SkipThrough + 1)
            : order.NextSequence;
        foreach (var number in order.Kcis.Where(k => k.Status == KciStatus.Held && k.SequenceNumber >= firstMissing)
                     .Select(k => k.SequenceNumber).Distinct().Order())
        {
            if (number != firstMissing || firstMissing == long.MaxValue)
                break;
            firstMissing++;
        }
        return order.Kcis.Count(k => k.Status == KciStatus.Held && k.SequenceNumber > firstMissing);
    }

    private static IEnumerable<SequencedKci> HeldAhead(OrderSequence order) =>
        order.Kcis.Where(k => k.Status == KciStatus.Held && k.SequenceNumber >= order.NextSequence);

    /// <summary>The lowest number at or after the next expected one whose KCI lies in a dead-letter queue (null: none).</summary>
    private static long? DeadLetterBarrier(OrderSequence order) =>
        order.Kcis.Where(k => k.Status == KciStatus.DeadLettered && k.SequenceNumber >= order.NextSequence)
            .Select(k => (long?)k.SequenceNumber).Min();
}
