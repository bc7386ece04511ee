using Kci.GatewaySimulator.Journeys;

namespace Kci.GatewaySimulator.Verification;

/// <summary>
/// One row of an order's timeline in the operations API. <c>Recovered</c> and <c>RecoveredFrom</c> say the KCI was fed
/// in from the gateway's order read rather than delivered (absent from older Kci: false and null).
/// </summary>
public sealed record TimelineEntry(Guid Id, long SequenceNumber, bool Late, bool SequenceConflict, long GapBefore, DateTimeOffset HandledAt,
    bool Recovered = false, string? RecoveredFrom = null);

/// <summary>What the check found for one order: its mismatches, and how its held-back numbers were handled.</summary>
public sealed record TimelineVerdict(IReadOnlyList<string> Mismatches, int GapsRecovered, int GapsSkipped);

/// <summary>
/// Compares what the operations API shows for an order with what was sent: each distinct KCI exactly once, in
/// sequence order, and the gap and late flags matching the numbers that were held back. A held-back number is either
/// recovered (Kci read it from the simulated gateway: handled in its place, flagged recovered, not late, no gap counted
/// over it) or skipped (counted in the <c>gapBefore</c> of the next KCI handled). Skipping is a mismatch only when the
/// simulated gateway had served the number in a 200 read before that next KCI was handled: Kci should have recovered it.
/// </summary>
public static class TimelineCheck
{
    private static readonly IReadOnlyDictionary<long, DateTimeOffset> NothingServed = new Dictionary<long, DateTimeOffset>();

    /// <summary>The check without held-back numbers to recover: every gap is expected to be skipped.</summary>
    public static List<string> Mismatches(string order, IReadOnlyList<ExpectedKci> expected, IReadOnlyList<TimelineEntry> timeline) =>
        [.. Check(order, expected, [], NothingServed, timeline).Mismatches];

    /// <param name="withheld">The order's numbers that were never sent.</param>
    /// <param name="served">When each of the order's numbers was first in a 200 answer of the simulated gateway's order read.</param>
    public static TimelineVerdict Check(string order, IReadOnlyList<ExpectedKci> expected, IReadOnlyList<WithheldKci> withheld,
        IReadOnlyDictionary<long, DateTimeOffset> served, IReadOnlyList<TimelineEntry> timeline)
    {
        var problems = new List<string>();
        var wanted = expected.ToDictionary(e => e.Id);
        var held = withheld.ToDictionary(w => w.Id);
        foreach (var repeat in timeline.GroupBy(t => t.Id).Where(g => g.Count() > 1))
            problems.Add($"{order}: KCI #{repeat.First().SequenceNumber} ({repeat.Key}) handled {repeat.Count()} times");
        foreach (var stranger in timeline.Where(t => !wanted.ContainsKey(t.Id) && !held.ContainsKey(t.Id)))
            problems.Add($"{order}: KCI #{stranger.SequenceNumber} ({stranger.Id}) is in the timeline but was never sent");
        var seen = timeline.Select(t => t.Id).ToHashSet();
        foreach (var missing in expected.Where(e => !seen.Contains(e.Id)))
            problems.Add($"{order}: KCI #{missing.SequenceNumber} ({missing.Id}) was never handled");

        // Known rows: the sent KCIs and the held-back ones Kci recovered, each once, as handled.
        var handled = timeline.Where(t => wanted.ContainsKey(t.Id) || held.ContainsKey(t.Id)).DistinctBy(t => t.Id).ToList();
        var handledOrder = handled.Select(t => t.SequenceNumber).ToList();
        var sequenceOrder = handledOrder.Order().ToList();
        if (!handledOrder.SequenceEqual(sequenceOrder))
            problems.Add($"{order}: handled in the order #{string.Join(", #", handledOrder)}, not #{string.Join(", #", sequenceOrder)}");

        var heldNumbers = withheld.Select(w => w.SequenceNumber).ToHashSet();
        var heldHandled = handled.Where(t => held.ContainsKey(t.Id)).Select(t => t.SequenceNumber).ToHashSet();
        foreach (var entry in handled)
        {
            var isHeld = !wanted.TryGetValue(entry.Id, out var want);
            // The numbers held back just before this one; those after the last of them that was handled are skipped.
            var run = isHeld ? HeldRunBefore(entry.SequenceNumber, heldNumbers) : (From: entry.SequenceNumber - want!.GapBefore, To: entry.SequenceNumber - 1);
            var lastHandled = heldHandled.Where(n => n >= run.From && n <= run.To).DefaultIfEmpty(run.From - 1).Max();
            var gap = run.To - lastHandled;
            if (entry.GapBefore != gap)
                problems.Add($"{order}: KCI #{entry.SequenceNumber} shows {entry.GapBefore} skipped before it, expected {gap}");
            if (entry.SequenceConflict)
                problems.Add($"{order}: KCI #{entry.SequenceNumber} is flagged as a sequence conflict, but its number was {(isHeld ? "held back and recovered" : "sent once")}");
            if (isHeld)
            {
                if (entry.Late)
                    problems.Add($"{order}: KCI #{entry.SequenceNumber} was held back and recovered, but is flagged late: it should have been recovered in its place");
                if (!entry.Recovered)
                    problems.Add($"{order}: KCI #{entry.SequenceNumber} ({entry.Id}) was held back, never sent, but is in the timeline without the recovered flag");
                continue;
            }
            if (entry.Late)
                problems.Add($"{order}: KCI #{entry.SequenceNumber} is flagged late, but no number before it was sent after a skip");
            // A sent KCI may be recovered before its own POST comes through (the real one is then a duplicate), but only
            // from a read that had it.
            if (entry.Recovered && !(served.TryGetValue(entry.SequenceNumber, out var readAt) && readAt <= entry.HandledAt))
                problems.Add($"{order}: KCI #{entry.SequenceNumber} is flagged recovered, but it was sent and the simulated gateway had not served it in an order read");
        }

        int recovered = 0, skipped = 0;
        for (var i = 0; i < withheld.Count; i++)
        {
            var number = withheld[i].SequenceNumber;
            // The KCI handled right after a skip counts it in its gapBefore.
            var skippedBy = handled.FirstOrDefault(t => t.GapBefore > 0 && t.SequenceNumber - t.GapBefore <= number && number < t.SequenceNumber);
            var row = handled.FirstOrDefault(t => t.Id == withheld[i].Id);
            if (row is not null)
            {
                var inPlace = handledOrder.IndexOf(number) == sequenceOrder.IndexOf(number);
                if (row.Recovered && !row.Late && skippedBy is null && inPlace)
                    recovered++;
                else if (skippedBy is not null)
                    skipped++;
                continue;
            }
            if (skippedBy is null)
                continue; // the KCI after it is missing or shows no gap: reported above
            skipped++;
            if (served.TryGetValue(number, out var servedAt) && servedAt <= skippedBy.HandledAt)
                problems.Add($"{order}: KCI #{number} was held back and skipped, but the simulated gateway had served it in an order read "
                    + $"({servedAt:HH:mm:ss.fff}) before #{skippedBy.SequenceNumber} was handled ({skippedBy.HandledAt:HH:mm:ss.fff}): Kci should have recovered it");
        }
        return new TimelineVerdict(problems, recovered, skipped);
    }

    /// <summary>The run of held-back numbers right before <paramref name="number"/> (empty: From above To).</summary>
    private static (long From, long To) HeldRunBefore(long number, HashSet<long> heldNumbers)
    {
        var from = number;
        while (heldNumbers.Contains(from - 1))
            from--;
        return (from, number - 1);
    }
}
