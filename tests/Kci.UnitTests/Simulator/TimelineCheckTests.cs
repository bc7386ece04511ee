using Kci.GatewaySimulator.Journeys;
using Kci.GatewaySimulator.Verification;

namespace Kci.UnitTests.Simulator;

public class When_the_simulator_checks_a_timeline
{
    private static readonly Guid[] Ids = [.. Enumerable.Range(0, 5).Select(_ => Guid.NewGuid())];
    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    // Sent #1, #2, #4, #5; #3 held back, so #4 shows one skipped.
    private static readonly ExpectedKci[] Expected = [new(Ids[0], 1, 0), new(Ids[1], 2, 0), new(Ids[3], 4, 1), new(Ids[4], 5, 0)];

    private static TimelineEntry Entry(int index, long gapBefore = 0, bool late = false, bool conflict = false) =>
        new(Ids[index], index + 1, late, conflict, gapBefore, At.AddSeconds(index));

    private static List<TimelineEntry> AsSent() => [Entry(0), Entry(1), Entry(3, gapBefore: 1), Entry(4)];

    private static List<string> Check(List<TimelineEntry> timeline) => TimelineCheck.Mismatches("PROVIDE_ORDER/1", Expected, timeline);

    [Fact]
    public void Should_accept_each_kci_once_in_order_with_the_gap_shown()
    {
        Assert.Empty(Check(AsSent()));
    }

    [Fact]
    public void Should_report_a_kci_handled_twice()
    {
        var timeline = AsSent();
        timeline.Add(Entry(4));

        Assert.Contains(Check(timeline), m => m.Contains("#5", StringComparison.Ordinal) && m.Contains("handled 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_a_kci_never_handled()
    {
        var timeline = AsSent();
        timeline.RemoveAt(1);

        Assert.Contains(Check(timeline), m => m.Contains("#2", StringComparison.Ordinal) && m.Contains("never handled", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_kcis_handled_out_of_sequence_order()
    {
        List<TimelineEntry> timeline = [Entry(1), Entry(0), Entry(3, gapBefore: 1), Entry(4)];

        Assert.Contains(Check(timeline), m => m.Contains("handled in the order #2, #1, #4, #5", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_a_gap_that_is_not_shown_or_one_that_was_not_made()
    {
        List<TimelineEntry> timeline = [Entry(0), Entry(1, gapBefore: 2), Entry(3), Entry(4)];

        var problems = Check(timeline);

        Assert.Contains(problems, m => m.Contains("#2 shows 2 skipped before it, expected 0", StringComparison.Ordinal));
        Assert.Contains(problems, m => m.Contains("#4 shows 0 skipped before it, expected 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_late_and_conflict_flags_nothing_explains()
    {
        List<TimelineEntry> timeline = [Entry(0, late: true), Entry(1, conflict: true), Entry(3, gapBefore: 1), Entry(4)];

        var problems = Check(timeline);

        Assert.Contains(problems, m => m.Contains("#1 is flagged late", StringComparison.Ordinal));
        Assert.Contains(problems, m => m.Contains("#2 is flagged as a sequence conflict", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_a_kci_that_was_never_sent()
    {
        var timeline = AsSent();
        timeline.Insert(2, Entry(2));

        Assert.Contains(Check(timeline), m => m.Contains("#3", StringComparison.Ordinal) && m.Contains("never sent", StringComparison.Ordinal));
    }
}
