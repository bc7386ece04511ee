using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>A pipeline with a 2 s gap timeout and at most 5 held KCIs per order, so gaps and parking show quickly.</summary>
public sealed class ShortTimeoutPipeline : Pipeline
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Sequencer__GapTimeout"] = "00:00:02",
        ["Sequencer__MaxHeldPerOrder"] = "5",
        ["Sequencer__SweepInterval"] = "00:00:00.200",
        // Orders of this supplier wait a minute on a gap, for scenarios that must not race the 2 s timeout.
        [$"Sequencer__SupplierGapTimeouts__{When_the_sequencer_reorders.PatientSupplier}"] = "00:01:00",
    };
}

[CollectionDefinition(Name)]
public sealed class ShortTimeoutCollection : ICollectionFixture<ShortTimeoutPipeline>
{
    public const string Name = "short-timeout pipeline";
}

/// <summary>The release rules of docs/ordering.md, end to end: gateway to sequencer to Handlers to the operations API.</summary>
[Collection(ShortTimeoutCollection.Name)]
public class When_the_sequencer_reorders(ShortTimeoutPipeline pipeline)
{
    public const string PatientSupplier = "PATIENT_SUPPLIER";
    private const string Provide = "PROVIDE_ORDER";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task Post(long entityId, long number, Guid? id = null, string sample = "provide-order-informational.json", string? supplier = null)
    {
        var body = Samples.Kci(sample, entityId, number, id);
        if (supplier is not null)
            body["supplier"] = supplier;
        var response = await pipeline.PostKciAsync(body);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Should_skip_a_gap_after_the_timeout_and_flag_a_late_arrival()
    {
        var order = Samples.NewEntityId();
        await Post(order, 1);
        await Post(order, 3);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        Assert.Equal([1L, 3L], timeline.Numbers());
        Assert.Equal(1, timeline.Flags(1)["gapBefore"]!.GetValue<long>());
        var gaps = await WaitForGaps(order);
        Assert.Equal((2, 2), (gaps[0]!["from"]!.GetValue<long>(), gaps[0]!["to"]!.GetValue<long>()));
        await pipeline.Sequencer.WaitForLineAsync(Patience, "warn", $"Gap in PROVIDE_ORDER/{order}");

        await Post(order, 2);
        timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
        Assert.Equal([1L, 3L, 2L], timeline.Numbers());
        Assert.True(timeline.Flags(2)["late"]!.GetValue<bool>(), "#2 arrived after its gap was skipped");
        Assert.Equal(3, (await pipeline.OrderAsync(Provide, order))["lastAppliedSequence"]!.GetValue<long>());
    }

    private async Task<System.Text.Json.Nodes.JsonArray> WaitForGaps(long order)
    {
        for (var i = 0; i < 100; i++)
        {
            var gaps = (await pipeline.OrderAsync(Provide, order))["gaps"]!.AsArray();
            if (gaps.Count > 0)
                return gaps;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no gap recorded for {order}");
    }

    [Fact]
    public async Task Should_release_a_sequence_conflict_right_after_the_first_of_its_number()
    {
        var order = Samples.NewEntityId();
        await Post(order, 1);
        await Post(order, 2);
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        var second = Guid.NewGuid();
        await Post(order, 2, second);
        // Two POSTs answered in turn may still reach the sequencer the other way round (each is its own message): #3 goes
        // once the conflict is handled, so the test sees the rule rather than that race.
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
        await Post(order, 3);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 4, Patience);
        Assert.Equal([1L, 2L, 2L, 3L], timeline.Numbers());
        Assert.Equal(second.ToString(), timeline[2]!["id"]!.GetValue<string>());
        Assert.True(timeline.Flags(2)["sequenceConflict"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_release_held_kcis_of_one_number_in_the_order_the_ingress_took_them()
    {
        var order = Samples.NewEntityId();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Post(order, 2, first, supplier: PatientSupplier);
        await Post(order, 2, second, supplier: PatientSupplier);
        await Post(order, 1, supplier: PatientSupplier);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
        Assert.Equal([1L, 2L, 2L], timeline.Numbers());
        Assert.Equal([first.ToString(), second.ToString()], timeline.Skip(1).Select(k => k!["id"]!.GetValue<string>()));
        Assert.True(timeline.Flags(2)["sequenceConflict"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_see_every_kci_committed_while_it_waited_for_the_orders_lock()
    {
        // Six KCIs of a new order at once: they race to create the saga, then queue on its row lock. Each must see
        // what the previous holders committed, or a held count (the cap is 5 here), a duplicate or a release is missed.
        var order = Samples.NewEntityId();
        await Task.WhenAll(Enumerable.Range(2, 6).Select(n => Post(order, n, supplier: PatientSupplier)));

        var view = await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["heldNumbers"]!.AsArray().Count == 6, Patience);
        Assert.True(view["parked"]!.GetValue<bool>(), "six held over a cap of five: the last to take the lock must have counted all six");
        await pipeline.CommandAsync(Provide, order, "unpark", "test");
        await Post(order, 1, supplier: PatientSupplier);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 7, Patience);
        Assert.Equal(Enumerable.Range(1, 7).Select(n => (long)n), timeline.Numbers());
    }

    [Fact]
    public async Task Should_ignore_duplicates_of_held_and_released_kcis()
    {
        var order = Samples.NewEntityId();
        var one = Guid.NewGuid();
        var three = Guid.NewGuid();
        await Post(order, 1, one, supplier: PatientSupplier);
        await Post(order, 3, three, supplier: PatientSupplier);
        await Post(order, 3, three, supplier: PatientSupplier);
        await Post(order, 1, one, supplier: PatientSupplier);
        await Post(order, 2, supplier: PatientSupplier);
        await Post(order, 1, one, supplier: PatientSupplier);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count >= 3, Patience);
        await Task.Delay(1000); // anything extra would have arrived by now
        timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), _ => true, Patience);
        Assert.Equal([1L, 2L, 3L], timeline.Numbers());
    }

    [Fact]
    public async Task Should_park_an_order_over_the_cap_until_an_operator_unparks_it()
    {
        var order = Samples.NewEntityId();
        for (var n = 2; n <= 7; n++)
            await Post(order, n, supplier: PatientSupplier);
        await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["parked"]!.GetValue<bool>(), Patience);
        await Post(order, 1, supplier: PatientSupplier);
        await Task.Delay(1000); // a parked order releases nothing, not even the next expected number
        var view = await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["heldNumbers"]!.AsArray().Count == 7, Patience);
        Assert.Equal("Parked", view["state"]!.GetValue<string>());

        var response = await pipeline.CommandAsync(Provide, order, "unpark", "cap reached by a replay");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 7, Patience);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], timeline.Numbers());
    }

    [Fact]
    public async Task Should_block_an_order_whose_kci_fails_for_good_until_an_operator_retries()
    {
        var order = Samples.NewEntityId();
        var failing = Guid.NewGuid();
        await using (await pipeline.FailHandlingOfAsync(failing))
        {
            await Post(order, 1, failing);
            await Post(order, 2);
            var view = await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["blocked"]!.GetValue<bool>(), Patience);
            Assert.Equal("Blocked", view["state"]!.GetValue<string>());
            Assert.Equal(1, view["inFlightSequence"]!.GetValue<long>());
        }

        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync(Provide, order, "retry", "fault fixed")).StatusCode);
        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        Assert.Equal([1L, 2L], timeline.Numbers());
        var actions = await pipeline.Operations.GetStringAsync("operator-actions");
        Assert.Contains("fault fixed", actions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_commit_a_run_up_to_the_kci_that_fails_and_block_the_order_at_it()
    {
        // #2 to #4 wait for #1, so #1's arrival releases #1 to #4 as one run; #3 fails in Handlers.
        var order = Samples.NewEntityId();
        var failing = Guid.NewGuid();
        await using (await pipeline.FailHandlingOfAsync(failing))
        {
            await Post(order, 2, supplier: PatientSupplier);
            await Post(order, 3, failing, supplier: PatientSupplier);
            await Post(order, 4, supplier: PatientSupplier);
            await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["heldNumbers"]!.AsArray().Count == 3, Patience);
            await Post(order, 1, supplier: PatientSupplier);

            var view = await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["blocked"]!.GetValue<bool>(), Patience);
            Assert.Equal(3, view["inFlightSequence"]!.GetValue<long>());
            Assert.Equal(failing, view["targets"]!["blockedKciId"]!.GetValue<Guid>());
            var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
            Assert.Equal([1L, 2L], timeline.Numbers());
            await pipeline.Handlers.WaitForLineAsync(Patience, $"stopped at KCI {failing}");
        }

        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync(Provide, order, "retry", "fault fixed")).StatusCode);
        var healed = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 4, Patience);
        Assert.Equal([1L, 2L, 3L, 4L], healed.Numbers());
    }

    [Fact]
    public async Task Should_move_on_when_an_operator_skips_a_blocked_kci()
    {
        var (order, _, failure) = await BlockedOrderAsync();
        await using var heal = failure;
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync(Provide, order, "skip", "supplier confirmed it is obsolete")).StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);
        Assert.Equal([2L], timeline.Numbers());
    }

    [Fact]
    public async Task Should_answer_a_command_without_a_target_400_and_one_whose_target_moved_on_409_changing_nothing()
    {
        var (order, failing, failure) = await BlockedOrderAsync();
        await using var heal = failure;

        var untargeted = await pipeline.CommandAsync(Provide, order, "skip", new JsonObject { ["reason"] = "no target", ["operator"] = "ops" });
        Assert.Equal(HttpStatusCode.BadRequest, untargeted.StatusCode);
        Assert.Contains("kciId or gap", await untargeted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The operator skips the blocked #1; the second click (or an HTTP retry) names #1 again and must not skip #2.
        var skip = new JsonObject { ["reason"] = "obsolete", ["operator"] = "ops", ["kciId"] = failing.ToString() };
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.CommandAsync(Provide, order, "skip", skip)).StatusCode);
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);
        var again = await pipeline.CommandAsync(Provide, order, "skip", (JsonObject)skip.DeepClone());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var conflict = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains(failing.ToString(), conflict["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(409, conflict["status"]!.GetValue<int>());
        Assert.NotNull(conflict["current"]!["targets"]);

        var retryOfOther = await pipeline.CommandAsync(Provide, order, "retry", new JsonObject { ["reason"] = "r", ["operator"] = "ops", ["kciId"] = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Conflict, retryOfOther.StatusCode);
        var unparkNotParked = await pipeline.CommandAsync(Provide, order, "unpark", new JsonObject { ["reason"] = "r", ["operator"] = "ops", ["parkedAt"] = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.Conflict, unparkNotParked.StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);
        Assert.Equal([2L], timeline.Numbers());
        var actions = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("operator-actions"))!;
        Assert.Contains(actions, a => a!["reason"]!.GetValue<string>() == "obsolete" && a["outcome"]!.GetValue<string>().StartsWith("ignored:", StringComparison.Ordinal));
        Assert.Contains(actions, a => a!["reason"]!.GetValue<string>() == "obsolete" && a["outcome"]!.GetValue<string>() == "sent");
    }

    /// <summary>An order whose #1 fails for good in Handlers (blocked) with #2 held behind it; dispose the failure to heal it.</summary>
    private async Task<(long Order, Guid Failing, IAsyncDisposable Failure)> BlockedOrderAsync()
    {
        var order = Samples.NewEntityId();
        var failing = Guid.NewGuid();
        var failure = await pipeline.FailHandlingOfAsync(failing);
        await Post(order, 1, failing);
        await Post(order, 2);
        await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["blocked"]!.GetValue<bool>(), Patience);
        return (order, failing, failure);
    }

    [Fact]
    public async Task Should_not_let_a_gap_or_a_parked_order_delay_another_order()
    {
        var waiting = Samples.NewEntityId();
        var parked = Samples.NewEntityId();
        var flowing = Samples.NewEntityId();
        await Post(waiting, 2, supplier: PatientSupplier);
        for (var n = 2; n <= 7; n++)
            await Post(parked, n, supplier: PatientSupplier);

        await pipeline.WaitForSequencerViewAsync(Provide, parked, v => v["parked"]!.GetValue<bool>(), Patience);
        for (var n = 1; n <= 3; n++)
            await Post(flowing, n);

        // The flowing order completes while the other two still wait (their supplier's gap timeout is a minute).
        var timeline = await pipeline.WaitForTimelineAsync(Provide, flowing.ToString(), t => t.Count == 3, Patience);
        Assert.Equal([1L, 2L, 3L], timeline.Numbers());
        Assert.Equal([2L], (await pipeline.OrderAsync(Provide, waiting))["sequencer"]!["heldNumbers"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.True((await pipeline.OrderAsync(Provide, parked))["sequencer"]!["parked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_answer_404_for_a_command_on_an_unknown_order_and_400_without_a_reason()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await pipeline.CommandAsync(Provide, Samples.NewEntityId(), "retry")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await pipeline.CommandAsync(Provide, Samples.NewEntityId(), "retry", reason: "")).StatusCode);
    }
}
