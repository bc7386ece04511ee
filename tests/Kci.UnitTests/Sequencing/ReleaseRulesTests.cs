using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

public class When_kcis_arrive_in_order
{
    [Fact]
    public void Should_release_each_at_once()
    {
        var driver = new OrderDriver();
        for (var n = 1; n <= 5; n++)
            driver.Receive(n);

        Assert.Equal([1, 2, 3, 4, 5], driver.DispatchedNumbers);
        Assert.Equal(6, driver.Order.NextSequence);
        Assert.Null(driver.Order.GapDeadline);
    }

    [Fact]
    public void Should_not_dispatch_the_next_until_the_previous_is_handled()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(2);

        Assert.Equal([1], driver.DispatchedNumbers);
        Assert.Null(driver.Order.GapDeadline); // #2 waits for #1's handling, not for a gap

        driver.HandleInFlight();
        Assert.Equal([1, 2], driver.DispatchedNumbers);
    }
}

public class When_kcis_arrive_out_of_order
{
    public static TheoryData<int[]> EveryPermutationOfOneToFive()
    {
        var data = new TheoryData<int[]>();
        foreach (var permutation in Permutations([1, 2, 3, 4, 5]))
            data.Add(permutation);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPermutationOfOneToFive))]
    public void Should_release_in_sequence(int[] arrival)
    {
        var driver = new OrderDriver { AutoHandle = false };
        foreach (var n in arrival)
        {
            driver.Receive(n);
            while (driver.Order.InFlightKciId is not null)
                driver.HandleInFlight();
        }

        Assert.Equal([1, 2, 3, 4, 5], driver.DispatchedNumbers);
        Assert.All(driver.Dispatched, k => Assert.False(k.Late || k.SequenceConflict || k.GapBefore > 0, $"#{k.SequenceNumber} flagged"));
    }

    [Fact]
    public void Should_hold_a_later_kci_and_arm_the_gap_deadline()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.Receive(3);

        Assert.Equal([1], driver.DispatchedNumbers);
        Assert.Equal(KciBuilder.T0 + TimeSpan.FromMinutes(2), driver.Order.GapDeadline);
        Assert.Equal(KciStatus.Held, driver.Order.Kcis.Single(k => k.SequenceNumber == 3).Status);
    }

    [Fact]
    public void Should_wait_for_one_when_the_first_kci_is_not_one()
    {
        var driver = new OrderDriver();
        driver.Receive(2);
        Assert.Empty(driver.Dispatched);

        driver.Receive(1);
        Assert.Equal([1, 2], driver.DispatchedNumbers);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }
        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
                yield return [items[i], .. tail];
        }
    }
}

public class When_a_kci_arrives_twice
{
    [Fact]
    public void Should_ignore_a_duplicate_of_a_released_kci()
    {
        var driver = new OrderDriver();
        var kci = driver.Builder.Kci(1);
        driver.Receive(kci);

        var outcome = driver.Receive(kci);

        Assert.True(outcome.IsDuplicate);
        Assert.Equal([1], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_ignore_a_duplicate_of_a_held_kci()
    {
        var driver = new OrderDriver();
        var three = driver.Builder.Kci(3);
        driver.Receive(three);
        driver.Receive(three);
        driver.Receive(1);
        driver.Receive(2);

        Assert.Equal([1, 2, 3], driver.DispatchedNumbers);
        Assert.Single(driver.Order.Kcis, k => k.SequenceNumber == 3);
    }

    [Fact]
    public void Should_ignore_a_duplicate_of_a_kci_in_flight()
    {
        var driver = new OrderDriver { AutoHandle = false };
        var one = driver.Builder.Kci(1);
        driver.Receive(one);
        Assert.True(driver.Receive(one).IsDuplicate);
        Assert.Single(driver.Dispatched);
    }

    [Fact]
    public void Should_ignore_a_repeated_handled_report()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        var one = driver.Order.InFlightKciId!.Value;
        driver.HandleInFlight();

        var outcome = Resequencer.Handled(driver.Order, one, driver.Now, driver.Now, new SequencerOptions());
        Assert.True(outcome.IsIgnored);
    }
}

public class When_two_kcis_carry_the_same_number
{
    [Fact]
    public void Should_release_the_second_right_after_flagged_as_a_conflict()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.Receive(2);
        var conflicting = driver.Builder.Kci(2);
        driver.Receive(conflicting);
        driver.Receive(3);

        Assert.Equal([1, 2, 2, 3], driver.DispatchedNumbers);
        Assert.True(driver.Dispatched[2].SequenceConflict, "the second #2 should be flagged SequenceConflict");
        Assert.Equal(conflicting.KciId, driver.Dispatched[2].KciId);
        Assert.False(driver.Dispatched[2].Late);
    }

    [Fact]
    public void Should_release_a_held_conflict_after_the_first_of_its_number()
    {
        var driver = new OrderDriver();
        var first = driver.Builder.Kci(2);
        var second = driver.Builder.Kci(2);
        driver.Receive(first);
        driver.Receive(second);
        driver.Receive(1);

        Assert.Equal([1, 2, 2], driver.DispatchedNumbers);
        Assert.Equal([first.KciId, second.KciId], driver.Dispatched.Skip(1).Select(k => k.KciId));
        Assert.True(driver.Dispatched[2].SequenceConflict, "the later arrival is the conflict");
    }
}

public class When_a_gap_times_out
{
    [Fact]
    public void Should_skip_the_missing_numbers_and_release_the_held_in_order()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.Receive(4);
        driver.Receive(6);

        driver.Elapse(TimeSpan.FromMinutes(1));
        Assert.Equal([1], driver.DispatchedNumbers);

        driver.Elapse(TimeSpan.FromMinutes(1));
        Assert.Equal([1, 4, 6], driver.DispatchedNumbers);
        Assert.Equal([new SkippedGap(2, 3), new SkippedGap(5, 5)], driver.Gaps);
        Assert.Equal(2, driver.Dispatched[1].GapBefore);
        Assert.Equal(1, driver.Dispatched[2].GapBefore);
        Assert.Null(driver.Order.GapDeadline);
    }

    [Fact]
    public void Should_release_a_late_arrival_flagged_late()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.Receive(3);
        driver.Elapse(TimeSpan.FromMinutes(2));

        driver.Receive(2);

        Assert.Equal([1, 3, 2], driver.DispatchedNumbers);
        Assert.True(driver.Dispatched[2].Late, "#2 arrived after its number was skipped");
        Assert.False(driver.Dispatched[2].SequenceConflict);
    }

    [Fact]
    public void Should_use_the_suppliers_own_timeout()
    {
        var options = new SequencerOptions { SupplierGapTimeouts = { ["SUPPLIER1"] = TimeSpan.FromSeconds(10) } };
        var driver = new OrderDriver(options);
        driver.Receive(2);

        driver.Elapse(TimeSpan.FromSeconds(10));

        Assert.Equal([2], driver.DispatchedNumbers);
        Assert.Equal([new SkippedGap(1, 1)], driver.Gaps);
    }

    [Fact]
    public void Should_not_fire_before_the_deadline()
    {
        var driver = new OrderDriver();
        driver.Receive(2);
        var outcome = Resequencer.GapTimedOut(driver.Order, driver.Now + TimeSpan.FromSeconds(119), new SequencerOptions());
        Assert.True(outcome.IsIgnored);
        Assert.Empty(driver.Dispatched);
    }

    [Fact]
    public void Should_clear_the_deadline_when_the_gap_fills()
    {
        var driver = new OrderDriver();
        driver.Receive(2);
        Assert.NotNull(driver.Order.GapDeadline);
        driver.Receive(1);
        Assert.Null(driver.Order.GapDeadline);
    }
}

public class When_handling_fails_for_good
{
    [Fact]
    public void Should_block_the_order_until_an_operator_retries()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(2);
        driver.Fail();

        Assert.True(driver.Order.Blocked);
        Assert.True(driver.HandleInFlightWouldBeTheFailedOne());

        driver.Retry();
        Assert.False(driver.Order.Blocked);
        Assert.Equal([1, 1], driver.DispatchedNumbers);

        driver.HandleInFlight();
        Assert.Equal([1, 1, 2], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_move_on_when_an_operator_skips_the_blocked_kci()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(2);
        driver.Fail();

        driver.Skip();

        Assert.Equal(KciStatus.Skipped, driver.Order.Kcis.Single(k => k.SequenceNumber == 1).Status);
        Assert.Equal([1, 2], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_let_an_operator_skip_a_gap_before_its_timeout()
    {
        var driver = new OrderDriver();
        driver.Receive(3);
        driver.Skip();
        Assert.Equal([3], driver.DispatchedNumbers);
        Assert.Equal([new SkippedGap(1, 2)], driver.Gaps);
    }
}

public class When_too_many_kcis_are_held
{
    [Fact]
    public void Should_drain_after_an_unpark_when_the_missing_number_arrives()
    {
        var driver = new OrderDriver(new SequencerOptions { MaxHeldPerOrder = 5 });
        for (var n = 2; n <= 7; n++)
            driver.Receive(n);
        Assert.True(driver.Order.Parked);

        driver.Unpark();
        driver.Receive(1);

        Assert.False(driver.Order.Parked, "the next expected number must not park the order again");
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_not_park_for_kcis_that_only_wait_for_the_one_in_flight()
    {
        var driver = new OrderDriver(new SequencerOptions { MaxHeldPerOrder = 3 }) { AutoHandle = false };
        for (var n = 1; n <= 8; n++)
            driver.Receive(n);

        Assert.False(driver.Order.Parked);
        while (driver.Order.InFlightKciId is not null)
            driver.HandleInFlight();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_stay_parked_past_the_gap_timeout()
    {
        var driver = new OrderDriver(new SequencerOptions { MaxHeldPerOrder = 5, GapTimeout = TimeSpan.FromSeconds(2) });
        for (var n = 2; n <= 7; n++)
            driver.Receive(n);
        Assert.True(driver.Order.Parked, "six held KCIs are over a cap of five");

        driver.Elapse(TimeSpan.FromSeconds(3));
        driver.Receive(1);
        Assert.Empty(driver.Dispatched);
    }

    [Fact]
    public void Should_park_the_order_and_keep_storing()
    {
        var driver = new OrderDriver(new SequencerOptions { MaxHeldPerOrder = 3 });
        for (var n = 2; n <= 5; n++)
            driver.Receive(n);

        Assert.True(driver.Order.Parked);
        driver.Receive(1);
        Assert.Empty(driver.Dispatched);
        Assert.Equal(5, driver.Order.Kcis.Count);

        driver.Unpark();
        Assert.Equal([1, 2, 3, 4, 5], driver.DispatchedNumbers);
    }
}

internal static class OrderDriverAssertions
{
    public static bool HandleInFlightWouldBeTheFailedOne(this OrderDriver driver) =>
        driver.Order.Kcis.Single(k => k.KciId == driver.Order.InFlightKciId).Status == KciStatus.Failed;
}
