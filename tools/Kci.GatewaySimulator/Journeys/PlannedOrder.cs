namespace Kci.GatewaySimulator.Journeys;

/// <summary>One KCI of a journey: its identity, where it sits, and the body the gateway sends.</summary>
public sealed record PlannedKci(Guid Id, long SequenceNumber, string UpdateType, string PayloadType, byte[] Body);

/// <summary>One POST: a KCI, or a repeat of one already sent.</summary>
public sealed record PlannedSend(PlannedKci Kci, bool Repeat);

/// <summary>What the operations API should show for a KCI that was sent.</summary>
public sealed record ExpectedKci(Guid Id, long SequenceNumber, long GapBefore);

/// <summary>A number held back with --gaps: never POSTed, but known to the simulated gateway's order read.</summary>
public sealed record WithheldKci(Guid Id, long SequenceNumber);

/// <summary>
/// An order's journey as the simulator will play it: every numbered KCI, the numbers it holds back for good
/// (gaps), and the order of its POSTs (shuffled, with repeats).
/// </summary>
public sealed record PlannedOrder(string Journey, string EntityType, long EntityId, string ConversationId,
    IReadOnlyList<PlannedKci> Kcis, IReadOnlySet<long> Withheld, IReadOnlyList<PlannedSend> Sends)
{
    /// <summary>Its place in the run: <see cref="JourneyGenerator.Order"/> of this index makes the same order again.</summary>
    public int Index { get; init; }

    public string Key => $"{EntityType}/{EntityId}";

    public IReadOnlyList<WithheldKci> WithheldKcis() =>
        [.. Kcis.Where(k => Withheld.Contains(k.SequenceNumber)).OrderBy(k => k.SequenceNumber).Select(k => new WithheldKci(k.Id, k.SequenceNumber))];

    /// <summary>
    /// The timeline the order must end with: each KCI that was sent, once, in number order; the first after a
    /// run of withheld numbers carries how many were skipped. Nothing is late, nothing conflicts.
    /// </summary>
    public IReadOnlyList<ExpectedKci> Expected()
    {
        var expected = new List<ExpectedKci>();
        long skipped = 0;
        foreach (var kci in Kcis.OrderBy(k => k.SequenceNumber))
        {
            if (Withheld.Contains(kci.SequenceNumber))
            {
                skipped++;
                continue;
            }
            expected.Add(new ExpectedKci(kci.Id, kci.SequenceNumber, skipped));
            skipped = 0;
        }
        return expected;
    }
}
