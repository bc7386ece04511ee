using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

/// <summary>A dead-lettered KciReceived holds its number: it never passes for a gap, and takes its place once replayed.</summary>
public class When_a_kci_is_dead_lettered
{
    [Fact]
    public void Should_hold_its_number_past_the_gap_timeout_and_release_it_in_place_once_replayed()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        var second = driver.Builder.Kci(2);
        driver.DeadLetter(second);
        driver.Receive(3);

        driver.Elapse(TimeSpan.FromHours(1));
        Assert.Equal([1], driver.DispatchedNumbers);
        Assert.Empty(driver.Gaps);
        Assert.Null(driver.Order.GapDeadline);

        driver.Receive(second); // the operator replayed it
        Assert.Equal([1, 2, 3], driver.DispatchedNumbers);
        Assert.All(driver.Dispatched, k => Assert.False(k.Late || k.SequenceConflict || k.GapBefore > 0));
    }

    [Fact]
    public void Should_let_real_gaps_before_it_time_out_but_never_skip_past_it()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.DeadLetter(driver.Builder.Kci(4));
        driver.Receive(3);
        driver.Receive(5);

        driver.Elapse(TimeSpan.FromMinutes(3)); // #2 never came: skipped; #4 lies in a dead-letter queue: held for
        Assert.Equal([1, 3], driver.DispatchedNumbers);
        Assert.Equal([new SkippedGap(2, 2)], driver.Gaps);
        driver.Elapse(TimeSpan.FromHours(1));
        Assert.Equal([1, 3], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_move_on_when_an_operator_skips_it_by_its_id()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        var second = driver.Builder.Kci(2);
        driver.DeadLetter(second);
        driver.Receive(3);

        driver.Skip(new SkipKci { OrderId = driver.Order.CorrelationId, KciId = second.KciId, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "r", RequestedAt = driver.Now });

        Assert.Equal([1, 3], driver.DispatchedNumbers);
        Assert.Equal(1, driver.Dispatched[1].GapBefore);
    }

    [Fact]
    public void Should_ignore_a_dead_letter_of_a_kci_received_after_all()
    {
        var driver = new OrderDriver();
        var first = driver.Builder.Kci(1);
        driver.Receive(first);
        Assert.True(driver.DeadLetter(first).IsIgnored);
        Assert.Equal(KciStatus.Handled, driver.Order.Kcis.Single().Status);
    }
}
