using System.Diagnostics;
using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

/// <summary>
/// Sequence numbers at the edges: every rule costs time in proportion to the KCIs an order holds, never to the width of a
/// numeric range, and nothing overflows. Each case takes milliseconds; the bound of 10 s only tells a hang (a loop over such a
/// range would run for months) from a slow, loaded machine.
/// </summary>
public class When_sequence_numbers_are_extreme
{
    private const long TwoPow53Plus1 = 9_007_199_254_740_993;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static TheoryData<long> Edges() => new() { 1, TwoPow53Plus1, long.MaxValue - 1, long.MaxValue };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Should_hold_a_lone_far_number_skip_the_gap_when_it_times_out_and_release_it(long number)
    {
        var clock = Stopwatch.StartNew();
        var driver = new OrderDriver();
        driver.Receive(number);
        if (number > 1)
        {
            Assert.Empty(driver.Dispatched);
            driver.Elapse(TimeSpan.FromMinutes(3));
        }

        Assert.Equal([number], driver.DispatchedNumbers);
        Assert.Equal(number == 1 ? 0 : number - 1, driver.Dispatched[0].GapBefore);
        Assert.True(driver.Order.NextSequence >= 1, "the next expected number never wraps round");
        Assert.Equal(number == long.MaxValue ? long.MaxValue : number + 1, driver.Order.NextSequence);
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
    }

    [Fact]
    public void Should_sequence_a_jump_of_ten_to_the_fifteen_and_what_comes_after_it()
    {
        var clock = Stopwatch.StartNew();
        var driver = new OrderDriver();
        const long far = 1_000_000_000_000_001;
        driver.Receive(1);
        driver.Receive(far + 1);
        driver.Receive(far);
        driver.Elapse(TimeSpan.FromMinutes(3));
        driver.Receive(far + 2);

        Assert.Equal([1, far, far + 1, far + 2], driver.DispatchedNumbers);
        Assert.Equal(far - 2, driver.Dispatched[1].GapBefore);
        Assert.Equal([new SkippedGap(2, far - 1)], driver.Gaps);
        Assert.Equal(far + 3, driver.Order.NextSequence);
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
    }

    [Fact]
    public void Should_park_and_count_held_kcis_behind_a_gap_as_wide_as_a_long_without_walking_it()
    {
        var clock = Stopwatch.StartNew();
        var driver = new OrderDriver(new SequencerOptions { MaxHeldPerOrder = 3 });
        driver.Receive(1);
        foreach (var number in (long[])[long.MaxValue - 3, long.MaxValue - 2, long.MaxValue - 1, long.MaxValue])
            driver.Receive(number);

        Assert.True(driver.Order.Parked);
        Assert.Equal([1], driver.DispatchedNumbers);
        driver.Unpark();
        driver.Elapse(TimeSpan.FromMinutes(3));
        Assert.Equal([1, long.MaxValue - 3, long.MaxValue - 2, long.MaxValue - 1, long.MaxValue], driver.DispatchedNumbers);
        Assert.Equal(long.MaxValue, driver.Order.NextSequence);
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
    }

    [Fact]
    public void Should_flag_a_second_kci_with_the_highest_number_as_a_conflict_rather_than_wrap()
    {
        var driver = new OrderDriver();
        driver.Receive(long.MaxValue);
        driver.Elapse(TimeSpan.FromMinutes(3));
        driver.Receive(long.MaxValue);

        Assert.Equal([long.MaxValue, long.MaxValue], driver.DispatchedNumbers);
        Assert.True(driver.Dispatched[1].SequenceConflict);
        Assert.Equal(long.MaxValue, driver.Order.NextSequence);
    }
}
