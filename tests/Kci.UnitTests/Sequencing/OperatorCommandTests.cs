using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

/// <summary>Operator commands name their target: a command whose target no longer holds the order, or that came twice, changes nothing.</summary>
public class When_an_operator_command_targets_what_no_longer_holds_the_order
{
    [Fact]
    public void Should_ignore_a_retry_of_a_kci_that_is_not_the_blocked_one()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Fail();

        var outcome = driver.Retry(Guid.NewGuid());

        Assert.True(outcome.IsIgnored);
        Assert.Contains("is not the blocked one", outcome.IgnoredReason, StringComparison.Ordinal);
        Assert.True(driver.Order.Blocked);
        Assert.Equal([1], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_apply_a_repeated_skip_once_and_never_skip_what_nobody_chose()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(2);
        driver.Fail(); // #1 blocked
        var skip = new SkipKci { OrderId = driver.Order.CorrelationId, KciId = driver.Order.InFlightKciId, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "obsolete", RequestedAt = driver.Now };

        Assert.False(driver.Skip(skip).IsIgnored);
        driver.Fail(); // #2 fails too and blocks
        var again = driver.Skip(skip); // the same command delivered again (an HTTP retry, an outbox repeat after a crash)

        Assert.True(again.IsIgnored);
        Assert.True(driver.Order.Blocked, "#2 stays blocked: nobody chose to skip it");
        Assert.Equal(KciStatus.Failed, driver.Order.Kcis.Single(k => k.SequenceNumber == 2).Status);
    }

    [Fact]
    public void Should_ignore_a_second_skip_command_aimed_at_a_kci_skipped_already()
    {
        var driver = new OrderDriver { AutoHandle = false };
        driver.Receive(1);
        driver.Receive(2);
        driver.Fail();
        var first = driver.Order.InFlightKciId!.Value;
        driver.Skip(new SkipKci { OrderId = driver.Order.CorrelationId, KciId = first, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "a", RequestedAt = driver.Now });
        driver.Fail(); // #2 now blocked

        var second = driver.Skip(new SkipKci { OrderId = driver.Order.CorrelationId, KciId = first, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "double click", RequestedAt = driver.Now });

        Assert.True(second.IsIgnored);
        Assert.True(driver.Order.Blocked);
    }

    [Fact]
    public void Should_skip_a_gap_only_when_it_names_the_numbers_the_order_waits_for()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.Receive(4);
        Assert.Equal((2L, 3L), Resequencer.CurrentGap(driver.Order));

        var wrong = driver.Skip(new SkipKci { OrderId = driver.Order.CorrelationId, GapFrom = 2, GapTo = 2, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "r", RequestedAt = driver.Now });
        Assert.True(wrong.IsIgnored);
        Assert.Equal([1], driver.DispatchedNumbers);

        var right = driver.Skip(new SkipKci { OrderId = driver.Order.CorrelationId, GapFrom = 2, GapTo = 3, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "r", RequestedAt = driver.Now });
        Assert.False(right.IsIgnored);
        Assert.Equal([1, 4], driver.DispatchedNumbers);
        Assert.Equal([new SkippedGap(2, 3)], driver.Gaps);
    }

    [Fact]
    public void Should_unpark_only_the_parking_the_operator_saw()
    {
        var driver = new OrderDriver(new SequencerOptions { MaxHeldPerOrder = 2 });
        for (var n = 2; n <= 4; n++)
            driver.Receive(n);
        Assert.True(driver.Order.Parked);

        Assert.True(driver.Unpark(driver.Order.ParkedAt!.Value.AddSeconds(-1)).IsIgnored);
        Assert.True(driver.Order.Parked);
        var command = Guid.NewGuid();
        Assert.False(driver.Unpark(driver.Order.ParkedAt!.Value, command).IsIgnored);
        Assert.False(driver.Order.Parked);
    }
}

public class When_an_operator_skips_a_gap_with_another_behind_it
{
    [Fact]
    public void Should_skip_exactly_the_numbers_named_and_keep_waiting_for_the_next_gap()
    {
        var driver = new OrderDriver();
        driver.Receive(1);
        driver.Receive(4);
        driver.Receive(8);

        driver.Skip(new SkipKci { OrderId = driver.Order.CorrelationId, GapFrom = 2, GapTo = 3, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "r", RequestedAt = driver.Now });

        Assert.Equal([1, 4], driver.DispatchedNumbers);
        Assert.Equal((5L, 7L), Resequencer.CurrentGap(driver.Order));
        Assert.NotNull(driver.Order.GapDeadline);
    }
}
