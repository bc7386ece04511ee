using Kci.Messages;

namespace Kci.Sequencer.Sequencing;

/// <summary>A run of numbers skipped because the gap timed out: <see cref="From"/> to <see cref="To"/> inclusive.</summary>
public sealed record SkippedGap(long From, long To)
{
    public long Count => To - From + 1;
}

/// <summary>What one event did to an order: the KCIs to dispatch now and the gaps it skipped.</summary>
public sealed record SequencingOutcome
{
    public static readonly SequencingOutcome Duplicate = new() { IsDuplicate = true };
    public static readonly SequencingOutcome Ignored = new() { IsIgnored = true };

    public IReadOnlyList<SequencedKci> Released { get; init; } = [];
    public IReadOnlyList<SkippedGap> Gaps { get; init; } = [];
    public bool IsDuplicate { get; init; }
    public bool IsIgnored { get; init; }
    public bool BecameParked { get; init; }
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
    public static SequencingOutcome Accept(OrderSequence order, KciReceived kci, DateTimeOffset now, SequencerOptions options)
    {
        if (order.Kcis.Exists(k => k.KciId == kci.KciId))
            return SequencingOutcome.Duplicate;

        order.Kcis.Add(new SequencedKci
        {
            KciId = kci.KciId,
            OrderId = order.CorrelationId,
            SequenceNumber = kci.SequenceNumber,
            Arrival = order.Kcis.Count,
            Status = KciStatus.Held,
            UpdateType = kci.UpdateType,
            PayloadType = kci.PayloadType,
            ConversationId = kci.ConversationId,
            RequestId = kci.RequestId,
            ReceivedAt = kci.ReceivedAt,
            Body = kci.Body,
        });
        order.ConversationId = kci.ConversationId;

        var becameParked = false;
        if (!order.Parked && HeldBehindAGap(order) > options.MaxHeldPerOrder)
        {
            order.Parked = true;
            becameParked = true;
        }

        return Advance(order, now, options) with { BecameParked = becameParked };
    }

    /// <summary>Handlers reported a KCI handled: the next one may go.</summary>
    public static SequencingOutcome Handled(OrderSequence order, Guid kciId, DateTimeOffset handledAt, DateTimeOffset now, SequencerOptions options)
    {
        var kci = order.Kcis.Find(k => k.KciId == kciId);
        if (kci is null || order.InFlightKciId != kciId)
            return SequencingOutcome.Ignored; // a repeated report, or one for a KCI an operator skipped

        kci.Status = KciStatus.Handled;
        kci.HandledAt = handledAt;
        kci.Body = null;
        order.InFlightKciId = null;
        order.Blocked = false;
        return Advance(order, now, options);
    }

    /// <summary>The stored gap deadline passed: every number missing below the highest held one counts as skipped.</summary>
    public static SequencingOutcome GapTimedOut(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        if (order.GapDeadline is not { } deadline || deadline > now)
            return SequencingOutcome.Ignored;

        order.SkipThrough = Math.Max(order.SkipThrough, HeldAhead(order).Select(k => k.SequenceNumber).DefaultIfEmpty(0).Max());
        order.GapDeadline = null;
        return Advance(order, now, options);
    }

    /// <summary>Handling of the in-flight KCI failed for good: the order is blocked until an operator acts.</summary>
    public static SequencingOutcome Failed(OrderSequence order, Guid kciId, DateTimeOffset now)
    {
        var kci = order.Kcis.Find(k => k.KciId == kciId);
        if (kci is null || order.InFlightKciId != kciId)
            return SequencingOutcome.Ignored;
        kci.Status = KciStatus.Failed;
        order.Blocked = true;
        order.UpdatedAt = now;
        return new SequencingOutcome();
    }

    /// <summary>Operator: dispatch the blocked KCI again.</summary>
    public static SequencingOutcome RetryBlocked(OrderSequence order, DateTimeOffset now)
    {
        var kci = order.Kcis.Find(k => k.KciId == order.InFlightKciId);
        if (!order.Blocked || kci is null)
            return SequencingOutcome.Ignored;
        order.Blocked = false;
        kci.Status = KciStatus.Released;
        kci.ReleasedAt = now;
        kci.ReleaseCount++;
        order.UpdatedAt = now;
        return new SequencingOutcome { Released = [kci] };
    }

    /// <summary>Operator: give up on the blocked KCI, or stop waiting for a gap, and move on.</summary>
    public static SequencingOutcome Skip(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        if (order.Blocked && order.Kcis.Find(k => k.KciId == order.InFlightKciId) is { } blocked)
        {
            blocked.Status = KciStatus.Skipped;
            blocked.Body = null;
            order.InFlightKciId = null;
            order.Blocked = false;
            return Advance(order, now, options);
        }

        if (order.GapDeadline is null)
            return SequencingOutcome.Ignored;
        order.GapDeadline = now;
        return GapTimedOut(order, now, options);
    }

    /// <summary>Operator: release again after the order was parked.</summary>
    public static SequencingOutcome Unpark(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        if (!order.Parked)
            return SequencingOutcome.Ignored;
        order.Parked = false;
        return Advance(order, now, options);
    }

    private static SequencingOutcome Advance(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        var released = new List<SequencedKci>(1);
        var gaps = new List<SkippedGap>();
        order.UpdatedAt = now;

        // Strictly one KCI of an order with Handlers at a time: the next goes when this one is handled.
        if (order.InFlightKciId is null && !order.Blocked && !order.Parked && PickNext(order, gaps) is { } next)
        {
            Release(order, next, now);
            released.Add(next);
        }

        RearmGapDeadline(order, now, options);
        return new SequencingOutcome { Released = released, Gaps = gaps };
    }

    private static SequencedKci? PickNext(OrderSequence order, List<SkippedGap> gaps)
    {
        // Due now: the next number, or a held KCI whose number is already behind us (late, or a conflict).
        var due = order.Kcis
            .Where(k => k.Status == KciStatus.Held && k.SequenceNumber <= order.NextSequence)
            .OrderBy(k => k.SequenceNumber).ThenBy(k => k.ReceivedAt).ThenBy(k => k.Arrival)
            .FirstOrDefault();
        if (due is not null)
            return due;

        var lowestAhead = HeldAhead(order).OrderBy(k => k.SequenceNumber).ThenBy(k => k.ReceivedAt).ThenBy(k => k.Arrival).FirstOrDefault();
        if (lowestAhead is null || lowestAhead.SequenceNumber > order.SkipThrough)
            return null;

        // The gap before it timed out: skip the missing numbers.
        var gap = new SkippedGap(order.NextSequence, lowestAhead.SequenceNumber - 1);
        gaps.Add(gap);
        lowestAhead.GapBefore = gap.Count;
        order.NextSequence = lowestAhead.SequenceNumber;
        return lowestAhead;
    }

    private static void Release(OrderSequence order, SequencedKci kci, DateTimeOffset now)
    {
        if (kci.SequenceNumber < order.NextSequence)
        {
            var numberWasReleased = order.Kcis.Exists(k => k != kci && k.SequenceNumber == kci.SequenceNumber
                && k.Status is KciStatus.Released or KciStatus.Handled or KciStatus.Failed or KciStatus.Skipped);
            kci.SequenceConflict = numberWasReleased;
            kci.Late = !numberWasReleased;
        }
        else
        {
            order.NextSequence = kci.SequenceNumber + 1;
        }

        kci.Status = KciStatus.Released;
        kci.ReleasedAt = now;
        kci.ReleaseCount++;
        order.InFlightKciId = kci.KciId;
    }

    /// <summary>The gap clock runs while the lowest held number is above the next expected one.</summary>
    private static void RearmGapDeadline(OrderSequence order, DateTimeOffset now, SequencerOptions options)
    {
        var lowestAhead = HeldAhead(order).Select(k => (long?)k.SequenceNumber).Min();
        var waitingOnGap = lowestAhead is { } lowest && lowest > order.NextSequence && lowest > order.SkipThrough;
        if (!waitingOnGap)
            order.GapDeadline = null;
        else
            order.GapDeadline ??= now + options.GapTimeoutFor(order.Supplier);
    }

    /// <summary>
    /// Held KCIs that cannot go until a missing number arrives (or its gap times out). KCIs that only wait for
    /// the one in flight drain by themselves and do not count: an order parks only when it piles up behind a gap,
    /// and after an operator unparks it, the missing number's arrival lets it drain.
    /// </summary>
    private static int HeldBehindAGap(OrderSequence order)
    {
        var held = order.Kcis.Where(k => k.Status == KciStatus.Held).Select(k => k.SequenceNumber).ToHashSet();
        var firstMissing = order.NextSequence;
        while (held.Contains(firstMissing) || firstMissing <= order.SkipThrough)
            firstMissing++;
        return order.Kcis.Count(k => k.Status == KciStatus.Held && k.SequenceNumber > firstMissing);
    }

    private static IEnumerable<SequencedKci> HeldAhead(OrderSequence order) =>
        order.Kcis.Where(k => k.Status == KciStatus.Held && k.SequenceNumber > order.NextSequence - 1);
}
