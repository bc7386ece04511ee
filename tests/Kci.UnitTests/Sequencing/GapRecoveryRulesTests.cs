using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

/// <summary>When the gateway's order read is asked for a gap (docs/gap-recovery.md), as plain rules.</summary>
public class When_an_order_waits_on_a_gap_the_gateway_may_fill
{
    private static readonly SequencerOptions Recovering = new() { GapTimeout = TimeSpan.FromMinutes(2), GapRecovery = true };

    [Fact]
    public void Should_be_due_for_recovery_a_quarter_of_the_gap_timeout_after_the_gap_clock_starts()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(3);

        Assert.Equal(driver.Now + TimeSpan.FromMinutes(2), driver.Order.GapDeadline);
        Assert.Equal(driver.Now + TimeSpan.FromSeconds(30), driver.Order.RecoveryDue);
    }

    [Fact]
    public void Should_take_the_configured_delay_and_a_suppliers_own_gap_timeout()
    {
        var options = new SequencerOptions { GapRecovery = true, SupplierGapTimeouts = { ["SLOW"] = TimeSpan.FromMinutes(20) } };
        Assert.Equal(TimeSpan.FromMinutes(5), options.GapRecoveryAfterFor("SLOW"));
        options.GapRecoveryAfter = TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.FromSeconds(10), options.GapRecoveryAfterFor("SLOW"));
    }

    [Fact]
    public void Should_never_be_due_when_recovery_is_off()
    {
        var driver = new OrderDriver(new SequencerOptions { GapRecovery = false });
        driver.Receive(1);
        driver.Receive(3);

        Assert.NotNull(driver.Order.GapDeadline);
        Assert.Null(driver.Order.RecoveryDue);
    }

    [Fact]
    public void Should_no_longer_be_due_once_the_missing_number_arrives()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(3);
        driver.Receive(2);

        Assert.Null(driver.Order.GapDeadline);
        Assert.Null(driver.Order.RecoveryDue);
        Assert.Equal([1, 2, 3], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_no_longer_be_due_once_the_gap_timed_out()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(3);
        driver.Elapse(TimeSpan.FromMinutes(3));

        Assert.Null(driver.Order.RecoveryDue);
        Assert.Equal([1, 3], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_release_a_recovered_KCI_in_its_place_and_remember_where_it_came_from()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(3);
        driver.Receive(driver.Builder.Kci(2) with { RecoveredFrom = "GET /service-orders/123" });

        Assert.Equal([1, 2, 3], driver.DispatchedNumbers);
        var recovered = driver.Dispatched.Single(k => k.SequenceNumber == 2);
        Assert.Equal("GET /service-orders/123", recovered.RecoveredFrom);
        Assert.False(recovered.Late);
        Assert.Equal(0, driver.Dispatched.Single(k => k.SequenceNumber == 3).GapBefore);
    }

    [Fact]
    public void Should_ignore_the_delivery_of_a_KCI_that_was_recovered_already()
    {
        var driver = new OrderDriver(Recovering);
        var second = driver.Builder.Kci(2);
        driver.Receive(1);
        driver.Receive(3);
        driver.Receive(second with { RecoveredFrom = "GET /service-orders/123" });

        var delivered = driver.Receive(second);

        Assert.True(delivered.IsDuplicate);
        Assert.Equal([1, 2, 3], driver.DispatchedNumbers);
    }

    [Fact]
    public void Should_ask_for_every_number_missing_below_the_highest_held_one()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(4);
        driver.Receive(7);

        Assert.Equal([2L, 3L, 5L, 6L], Resequencer.MissingNumbers(driver.Order, limit: 100));
        Assert.Equal([2L, 3L], Resequencer.MissingNumbers(driver.Order, limit: 2));
    }

    [Fact]
    public void Should_ask_for_nothing_past_a_number_skipped_already_or_when_nothing_is_held()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        Assert.Empty(Resequencer.MissingNumbers(driver.Order, limit: 100));

        driver.Receive(3);
        driver.Elapse(TimeSpan.FromMinutes(3)); // #2 skipped
        driver.Receive(5);
        Assert.Equal([4L], Resequencer.MissingNumbers(driver.Order, limit: 100));
    }

    [Fact]
    public void Should_walk_the_known_numbers_not_the_range_when_a_held_number_is_huge()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(long.MaxValue);

        var missing = Resequencer.MissingNumbers(driver.Order, limit: 500);

        Assert.Equal(500, missing.Count);
        Assert.Equal(2, missing[0]);
    }

    [Fact]
    public void Should_make_recovery_due_now_when_an_operator_asks_and_only_once_per_command()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        driver.Receive(3);
        driver.Now += TimeSpan.FromSeconds(5);
        var command = new RecoverGap { OrderId = driver.Order.CorrelationId, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "chased", RequestedAt = driver.Now };

        Assert.False(Resequencer.RecoverNow(driver.Order, command, driver.Now, Recovering).IsIgnored);
        Assert.Equal(driver.Now, driver.Order.RecoveryDue);
        Assert.True(Resequencer.RecoverNow(driver.Order, command, driver.Now + TimeSpan.FromSeconds(1), Recovering).IsIgnored);
        Assert.Equal(driver.Now, driver.Order.RecoveryDue);
    }

    [Fact]
    public void Should_ignore_an_operators_recovery_when_nothing_is_missing_or_recovery_is_off()
    {
        var driver = new OrderDriver(Recovering);
        driver.Receive(1);
        var command = new RecoverGap { OrderId = driver.Order.CorrelationId, CommandId = Guid.NewGuid(), Operator = "ops", Reason = "chased", RequestedAt = driver.Now };

        var outcome = Resequencer.RecoverNow(driver.Order, command, driver.Now, Recovering);
        Assert.True(outcome.IsIgnored);
        Assert.Contains("does not wait for a missing number", outcome.IgnoredReason, StringComparison.Ordinal);

        driver.Receive(3);
        var off = Resequencer.RecoverNow(driver.Order, command, driver.Now, new SequencerOptions());
        Assert.True(off.IsIgnored);
        Assert.Contains("gap recovery is off", off.IgnoredReason, StringComparison.Ordinal);
    }
}
