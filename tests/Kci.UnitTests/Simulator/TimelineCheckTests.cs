using System.Net;
using System.Text;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.Journeys;
using Kci.GatewaySimulator.Sending;
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

public class When_the_simulator_checks_held_back_numbers
{
    private static readonly Guid[] Ids = [.. Enumerable.Range(0, 5).Select(_ => Guid.NewGuid())];
    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    // Sent #1, #2, #4, #5; #3 held back. The simulated gateway's read has #3 (its id Ids[2]).
    private static readonly ExpectedKci[] Expected = [new(Ids[0], 1, 0), new(Ids[1], 2, 0), new(Ids[3], 4, 1), new(Ids[4], 5, 0)];
    private static readonly WithheldKci[] Withheld = [new(Ids[2], 3)];
    private static readonly Dictionary<long, DateTimeOffset> NeverServed = [];

    private static TimelineEntry Entry(int index, long gapBefore = 0, bool late = false, bool recovered = false, int handledAfter = -1) =>
        new(Ids[index], index + 1, late, false, gapBefore, At.AddSeconds(handledAfter < 0 ? index : handledAfter), recovered, recovered ? "gateway-read" : null);

    private static List<TimelineEntry> Recovered() => [Entry(0), Entry(1), Entry(2, recovered: true), Entry(3), Entry(4)];

    private static List<TimelineEntry> Skipped() => [Entry(0), Entry(1), Entry(3, gapBefore: 1), Entry(4)];

    private static TimelineVerdict Check(List<TimelineEntry> timeline, Dictionary<long, DateTimeOffset>? served = null) =>
        TimelineCheck.Check("PROVIDE_ORDER/1", Expected, Withheld, served ?? NeverServed, timeline);

    private static Dictionary<long, DateTimeOffset> ServedAt(TimeSpan after) =>
        new() { [1] = At + after, [2] = At + after, [3] = At + after, [4] = At + after, [5] = At + after };

    [Fact]
    public void Should_count_a_number_recovered_in_its_place_with_no_gap_after_it()
    {
        var verdict = Check(Recovered(), ServedAt(TimeSpan.FromSeconds(1)));

        Assert.Empty(verdict.Mismatches);
        Assert.Equal((1, 0), (verdict.GapsRecovered, verdict.GapsSkipped));
    }

    [Fact]
    public void Should_count_a_number_the_gateway_never_served_as_skipped_without_a_mismatch()
    {
        var verdict = Check(Skipped());

        Assert.Empty(verdict.Mismatches);
        Assert.Equal((0, 1), (verdict.GapsRecovered, verdict.GapsSkipped));
    }

    [Fact]
    public void Should_report_a_skipped_number_the_gateway_had_served_before_the_skip()
    {
        var verdict = Check(Skipped(), ServedAt(TimeSpan.FromSeconds(1)));

        Assert.Contains(verdict.Mismatches, m => m.Contains("#3 was held back and skipped", StringComparison.Ordinal)
            && m.Contains("Kci should have recovered it", StringComparison.Ordinal));
        Assert.Equal((0, 1), (verdict.GapsRecovered, verdict.GapsSkipped));
    }

    [Fact]
    public void Should_not_blame_kci_for_a_number_served_only_after_it_was_skipped()
    {
        var verdict = Check(Skipped(), ServedAt(TimeSpan.FromSeconds(10)));

        Assert.Empty(verdict.Mismatches);
        Assert.Equal((0, 1), (verdict.GapsRecovered, verdict.GapsSkipped));
    }

    [Fact]
    public void Should_report_a_recovered_number_handled_late_after_the_next()
    {
        List<TimelineEntry> timeline = [Entry(0), Entry(1), Entry(3, gapBefore: 1), Entry(2, recovered: true, late: true, handledAfter: 4), Entry(4, handledAfter: 5)];

        var verdict = Check(timeline, ServedAt(TimeSpan.FromSeconds(10)));

        Assert.Contains(verdict.Mismatches, m => m.Contains("handled in the order #1, #2, #4, #3, #5", StringComparison.Ordinal));
        Assert.Contains(verdict.Mismatches, m => m.Contains("#3 was held back and recovered, but is flagged late", StringComparison.Ordinal));
        Assert.Equal(0, verdict.GapsRecovered);
    }

    [Fact]
    public void Should_report_a_gap_shown_over_a_recovered_number()
    {
        List<TimelineEntry> timeline = [Entry(0), Entry(1), Entry(2, recovered: true), Entry(3, gapBefore: 1), Entry(4)];

        var verdict = Check(timeline, ServedAt(TimeSpan.FromSeconds(1)));

        Assert.Contains(verdict.Mismatches, m => m.Contains("#4 shows 1 skipped before it, expected 0", StringComparison.Ordinal));
        Assert.Equal(0, verdict.GapsRecovered);
    }

    [Fact]
    public void Should_report_a_held_back_number_in_the_timeline_without_the_recovered_flag()
    {
        List<TimelineEntry> timeline = [Entry(0), Entry(1), Entry(2), Entry(3), Entry(4)];

        var verdict = Check(timeline, ServedAt(TimeSpan.FromSeconds(1)));

        Assert.Contains(verdict.Mismatches, m => m.Contains("#3", StringComparison.Ordinal) && m.Contains("without the recovered flag", StringComparison.Ordinal));
        Assert.Equal(0, verdict.GapsRecovered);
    }

    [Fact]
    public void Should_report_a_recovered_number_handled_twice()
    {
        var timeline = Recovered();
        timeline.Insert(3, Entry(2, recovered: true));

        var verdict = Check(timeline, ServedAt(TimeSpan.FromSeconds(1)));

        Assert.Contains(verdict.Mismatches, m => m.Contains("#3", StringComparison.Ordinal) && m.Contains("handled 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_a_sent_kci_flagged_recovered_that_the_gateway_never_served()
    {
        List<TimelineEntry> timeline = [Entry(0), Entry(1, recovered: true), Entry(3, gapBefore: 1), Entry(4)];

        Assert.Contains(Check(timeline).Mismatches, m => m.Contains("#2 is flagged recovered, but it was sent", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_accept_a_sent_kci_recovered_from_a_read_before_its_own_post_came_through()
    {
        List<TimelineEntry> timeline = [Entry(0), Entry(1, recovered: true), Entry(2, recovered: true), Entry(3), Entry(4)];

        var verdict = Check(timeline, ServedAt(TimeSpan.Zero));

        Assert.Empty(verdict.Mismatches);
        Assert.Equal((1, 0), (verdict.GapsRecovered, verdict.GapsSkipped));
    }

    [Fact]
    public void Should_report_a_kci_that_was_neither_sent_nor_held_back()
    {
        var timeline = Recovered();
        timeline.Add(new TimelineEntry(Guid.NewGuid(), 6, false, false, 0, At.AddSeconds(9), true, "gateway-read"));

        Assert.Contains(Check(timeline).Mismatches, m => m.Contains("#6", StringComparison.Ordinal) && m.Contains("never sent", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_count_each_number_of_a_run_recovered_or_skipped()
    {
        // #2 and #3 held back; Kci recovered #3 only: #3 shows #2 skipped, #4 no gap.
        ExpectedKci[] expected = [new(Ids[0], 1, 0), new(Ids[3], 4, 2), new(Ids[4], 5, 0)];
        WithheldKci[] withheld = [new(Ids[1], 2), new(Ids[2], 3)];
        List<TimelineEntry> timeline = [Entry(0), Entry(2, gapBefore: 1, recovered: true), Entry(3), Entry(4)];

        var verdict = TimelineCheck.Check("PROVIDE_ORDER/1", expected, withheld, NeverServed, timeline);

        Assert.Empty(verdict.Mismatches);
        Assert.Equal((1, 1), (verdict.GapsRecovered, verdict.GapsSkipped));
    }
}

/// <summary>--verify over an operations API whose timelines carry recovered rows.</summary>
public class When_the_simulator_verifies_recovered_gaps
{
    private static readonly Guid[] Ids = [.. Enumerable.Range(0, 3).Select(_ => Guid.NewGuid())];

    // #1 and #3 sent, #2 held back.
    private static SentOrder Order() => new("PROVIDE_ORDER", 42, [new ExpectedKci(Ids[0], 1, 0), new ExpectedKci(Ids[2], 3, 1)],
        Ids.ToDictionary(id => id, _ => DateTimeOffset.UtcNow), AllAccepted: true) { Withheld = [new WithheldKci(Ids[1], 2)] };

    private static string Row(int index, bool? recovered = null, long gapBefore = 0) =>
        $$"""{"id":"{{Ids[index]}}","sequenceNumber":{{index + 1}},"flags":{"late":false,"sequenceConflict":false,"gapBefore":{{gapBefore}}{{(recovered is { } r ? $",\"recovered\":{(r ? "true" : "false")}" : "")}}},"recoveredFrom":{{(recovered == true ? "\"gateway\"" : "null")}},"handledAt":"{{DateTimeOffset.UtcNow:O}}"}""";

    private static HttpClient Operations(Func<int, string> timeline)
    {
        var calls = 0;
        return new HttpClient(new Answering(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(timeline(++calls), Encoding.UTF8, "application/json"),
        })) { BaseAddress = new Uri("http://ops:1/") };
    }

    private static SimulatorOptions Options() => SimulatorOptions.Parse(["--verify", "--verify-timeout", "30", "--quiet"], out _)!;

    [Fact]
    public async Task Should_wait_for_every_sent_kci_rather_than_as_many_rows()
    {
        // First look: #1 and the recovered #2, as many rows as were sent, but #3 not yet handled.
        using var http = Operations(call => call == 1 ? $"[{Row(0)},{Row(1, recovered: true)}]" : $"[{Row(0)},{Row(1, recovered: true)},{Row(2)}]");

        var result = await new OrdersVerifier(http, null, Options(), TimeProvider.System).VerifyAsync([Order()], CancellationToken.None);

        Assert.Empty(result.Mismatches);
        Assert.Equal((1, 0), (result.GapsRecovered, result.GapsSkipped));
    }

    [Fact]
    public async Task Should_read_a_timeline_without_recovered_flags_as_an_older_kci_that_skips()
    {
        using var http = Operations(_ => $"[{Row(0)},{Row(2, gapBefore: 1)}]");

        var result = await new OrdersVerifier(http, null, Options(), TimeProvider.System).VerifyAsync([Order()], CancellationToken.None);

        Assert.Empty(result.Mismatches);
        Assert.Equal((0, 1), (result.GapsRecovered, result.GapsSkipped));
    }

    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
