using Kci.GatewaySimulator.Journeys;

namespace Kci.GatewaySimulator.Verification;

/// <summary>One row of an order's timeline in the operations API.</summary>
public sealed record TimelineEntry(Guid Id, long SequenceNumber, bool Late, bool SequenceConflict, long GapBefore, DateTimeOffset HandledAt);

/// <summary>
/// Compares what the operations API shows for an order with what was sent: each distinct KCI exactly once, in
/// sequence order, and the gap and late flags matching the numbers that were held back.
/// </summary>
public static class TimelineCheck
{
    public static List<string> Mismatches(string order, IReadOnlyList<ExpectedKci> expected, IReadOnlyList<TimelineEntry> timeline)
    {
        var problems = new List<string>();
        var wanted = expected.ToDictionary(e => e.Id);
        foreach (var repeat in timeline.GroupBy(t => t.Id).Where(g => g.Count() > 1))
            problems.Add($"{order}: KCI #{repeat.First().SequenceNumber} ({repeat.Key}) handled {repeat.Count()} times");
        foreach (var stranger in timeline.Where(t => !wanted.ContainsKey(t.Id)))
            problems.Add($"{order}: KCI #{stranger.SequenceNumber} ({stranger.Id}) is in the timeline but was never sent");
        var seen = timeline.Select(t => t.Id).ToHashSet();
        foreach (var missing in expected.Where(e => !seen.Contains(e.Id)))
            problems.Add($"{order}: KCI #{missing.SequenceNumber} ({missing.Id}) was never handled");

        var handledOrder = timeline.Where(t => wanted.ContainsKey(t.Id)).DistinctBy(t => t.Id).Select(t => t.SequenceNumber).ToList();
        var sequenceOrder = expected.Where(e => seen.Contains(e.Id)).Select(e => e.SequenceNumber).ToList();
        if (!handledOrder.SequenceEqual(sequenceOrder))
            problems.Add($"{order}: handled in the order #{string.Join(", #", handledOrder)}, not #{string.Join(", #", sequenceOrder)}");

        foreach (var entry in timeline.DistinctBy(t => t.Id))
        {
            if (!wanted.TryGetValue(entry.Id, out var want))
                continue;
            if (entry.GapBefore != want.GapBefore)
                problems.Add($"{order}: KCI #{entry.SequenceNumber} shows {entry.GapBefore} skipped before it, expected {want.GapBefore}");
            if (entry.Late)
                problems.Add($"{order}: KCI #{entry.SequenceNumber} is flagged late, but no number before it was sent after a skip");
            if (entry.SequenceConflict)
                problems.Add($"{order}: KCI #{entry.SequenceNumber} is flagged as a sequence conflict, but its number was sent once");
        }
        return problems;
    }
}
