using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

public class When_held_kcis_are_due_one_after_another
{
    private static IEnumerable<long[]> NumbersOf(OrderDriver driver) => driver.Runs.Select(run => run.Select(k => k.SequenceNumber).ToArray());

    [Fact]
    public void Should_release_them_as_one_run_when_the_in_flight_run_is_handled()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(2);
        driver.Receive(3);
        Assert.Equal([[1L]], NumbersOf(driver));

        driver.HandleInFlight();

        Assert.Equal([[1L], [2L, 3L]], NumbersOf(driver));
        Assert.Equal(driver.Runs[1][0].KciId, driver.Order.InFlightKciId); // the run's first KCI stands for it
        Assert.Equal(4, driver.Order.NextSequence);
    }

    [Fact]
    public void Should_release_what_a_missing_number_held_back_with_it()
    {
        var driver = new OrderDriver { AutoHandle = false };
        foreach (var n in new long[] { 3, 2, 4 })
            driver.Receive(n);
        Assert.Empty(driver.Dispatched);

        driver.Receive(1);

        Assert.Equal([[1L, 2L, 3L, 4L]], NumbersOf(driver));
    }

    [Fact]
    public void Should_release_an_orders_kcis_that_arrive_together_as_one_run()
    {
        var driver = new OrderDriver { AutoHandle = false };
        var kcis = new long[] { 3, 1, 2, 5 }.Select(n => driver.Builder.Kci(n)).ToList();
        var order = Resequencer.Start(kcis[0], driver.Now);

        var outcome = Resequencer.Accept(order, kcis, driver.Now, new SequencerOptions());

        Assert.Equal([1L, 2L, 3L], outcome.Released.Select(k => k.SequenceNumber));
        Assert.Equal(KciStatus.Held, order.Kcis.Single(k => k.SequenceNumber == 5).Status); // behind the gap at #4
        Assert.NotNull(order.GapDeadline);
    }

    [Fact]
    public void Should_report_only_the_known_ones_of_kcis_that_arrive_together_as_duplicates()
    {
        var driver = new OrderDriver { AutoHandle = false };
        var first = driver.Builder.Kci(1);
        driver.Receive(first);
        var second = driver.Builder.Kci(2);

        var outcome = Resequencer.Accept(driver.Order, [first, second], driver.Now, new SequencerOptions());

        Assert.False(outcome.IsDuplicate);
        Assert.Equal([first.KciId], outcome.DuplicateKciIds);
        Assert.Equal(2, driver.Order.Kcis.Count);
    }

    [Fact]
    public void Should_not_take_a_kci_of_another_queue_into_the_run()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(driver.Builder.Kci(2));
        driver.Receive(driver.Builder.Kci(3, updateType: "ACTION_REQUIRED"));
        driver.Receive(driver.Builder.Kci(4, updateType: "ACTION_REQUIRED"));
        driver.Receive(driver.Builder.Kci(5));

        driver.HandleInFlight();
        driver.HandleInFlight();
        driver.HandleInFlight();

        Assert.Equal([[1L], [2L], [3L, 4L], [5L]], NumbersOf(driver));
    }

    [Fact]
    public void Should_keep_a_run_within_its_length_limit()
    {
        var driver = new OrderDriver(new SequencerOptions { MaxRunLength = 2 }) { AutoHandle = false };
        foreach (var n in new long[] { 5, 4, 3, 2, 1 })
            driver.Receive(n);
        while (driver.Order.InFlightKciId is not null)
            driver.HandleInFlight();

        Assert.Equal([[1L, 2L], [3L, 4L], [5L]], NumbersOf(driver));
    }

    [Fact]
    public void Should_keep_a_run_within_its_body_budget_but_always_carry_one_kci()
    {
        var driver = new OrderDriver { AutoHandle = false };
        var large = new string('x', Resequencer.RunBodyBudget);
        foreach (var n in new long[] { 3, 2 })
            driver.Receive(driver.Builder.Kci(n) with { Body = large });

        driver.Receive(1);
        driver.HandleInFlight();
        driver.HandleInFlight();

        Assert.Equal([[1L, 2L], [3L]], NumbersOf(driver)); // #2's body fits beside #1's, #3's does not
    }

    [Fact]
    public void Should_not_run_past_a_missing_number()
    {
        var driver = new OrderDriver { AutoHandle = false };
        foreach (var n in new long[] { 2, 4, 5 })
            driver.Receive(n);

        driver.Receive(1);

        Assert.Equal([[1L, 2L]], NumbersOf(driver));
        Assert.NotNull(driver.Order.GapDeadline);
    }

    [Fact]
    public void Should_carry_a_late_kci_and_a_conflict_in_sequence_order()
    {
        var driver = new OrderDriver(new SequencerOptions { GapTimeout = TimeSpan.FromSeconds(1) });
        driver.Receive(1);
        driver.Receive(3);
        driver.Elapse(TimeSpan.FromSeconds(2)); // #2 skipped, #3 released
        driver.AutoHandle = false;
        driver.Receive(4); // in flight alone
        var twin = driver.Builder.Kci(4);
        driver.Receive(twin);
        driver.Receive(2);
        driver.Receive(5);

        driver.HandleInFlight();

        Assert.Equal([2L, 4L, 5L], driver.Runs[^1].Select(k => k.SequenceNumber));
        Assert.True(driver.Runs[^1][0].Late);
        Assert.True(driver.Runs[^1].Single(k => k.KciId == twin.KciId).SequenceConflict);
    }
}

public class When_handlers_stop_before_the_end_of_a_run
{
    private static OrderDriver DriverWithRunOfThree()
    {
        var driver = new OrderDriver { AutoHandle = false };
        foreach (var n in new long[] { 3, 2, 1 })
            driver.Receive(n);
        Assert.Equal(3, driver.Runs.Single().Count);
        return driver;
    }

    [Fact]
    public void Should_mark_what_they_committed_handled_and_send_the_rest_again_from_the_failing_kci()
    {
        var driver = DriverWithRunOfThree();
        var run = driver.Runs[0];

        var outcome = driver.HandleThrough(run[0].KciId);

        Assert.True(outcome.IsRedispatch);
        Assert.Equal([run[1].KciId, run[2].KciId], outcome.Released.Select(k => k.KciId));
        Assert.Equal(KciStatus.Handled, run[0].Status);
        Assert.Equal(run[1].KciId, driver.Order.InFlightKciId);
        Assert.All(outcome.Released, k => Assert.Equal(2, k.ReleaseCount)); // a message of its own
        Assert.Equal(4, driver.Order.NextSequence);
    }

    [Fact]
    public void Should_block_at_the_failing_kci_and_retry_it_with_the_rest_of_its_run()
    {
        var driver = DriverWithRunOfThree();
        var run = driver.Runs[0];
        driver.HandleThrough(run[0].KciId);

        driver.Fail();
        Assert.True(driver.Order.Blocked);
        Assert.Equal(KciStatus.Failed, run[1].Status);
        Assert.Equal(KciStatus.Released, run[2].Status);

        var retried = driver.Retry();

        Assert.False(driver.Order.Blocked);
        Assert.Equal([run[1].KciId, run[2].KciId], retried.Released.Select(k => k.KciId));
        driver.HandleInFlight();
        Assert.All(run, k => Assert.Equal(KciStatus.Handled, k.Status));
        Assert.Null(driver.Order.InFlightKciId);
    }

    [Fact]
    public void Should_send_the_rest_of_the_run_on_when_the_failing_kci_is_skipped()
    {
        var driver = DriverWithRunOfThree();
        var run = driver.Runs[0];
        driver.HandleThrough(run[0].KciId);
        driver.Fail();

        var skipped = driver.Skip();

        Assert.Equal([run[2].KciId], skipped.Released.Select(k => k.KciId));
        Assert.Equal(KciStatus.Skipped, run[1].Status);
        Assert.Equal(run[2].KciId, driver.Order.InFlightKciId);
        Assert.False(driver.Order.Blocked);
    }

    [Fact]
    public void Should_ignore_a_report_for_a_kci_of_a_run_already_handled()
    {
        var driver = DriverWithRunOfThree();
        var run = driver.Runs[0];
        driver.HandleInFlight();

        Assert.True(driver.HandleThrough(run[1].KciId).IsIgnored);
        Assert.All(run, k => Assert.Equal(KciStatus.Handled, k.Status));
    }

    [Fact]
    public void Should_send_the_whole_run_again_when_its_acknowledgement_times_out()
    {
        var options = new SequencerOptions { AckTimeout = TimeSpan.FromSeconds(10) };
        var driver = new OrderDriver(options) { AutoHandle = false };
        foreach (var n in new long[] { 2, 1 })
            driver.Receive(n);
        var run = driver.Runs.Single();

        var outcome = Resequencer.AckTimedOut(driver.Order, run[0].KciId, driver.Now + TimeSpan.FromSeconds(11), options);

        Assert.True(outcome.IsRedispatch);
        Assert.Equal(run.Select(k => k.KciId), outcome.Released.Select(k => k.KciId));
    }
}
