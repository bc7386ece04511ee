using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// A pipeline whose Sequencer reads missing numbers from a Tenant API of the test's own: gaps time out after 8 s, and are
/// asked for after a quarter of that (2 s, the default share). Orders of the patient supplier wait 10 minutes on a gap, so
/// their recovery is due only after 2.5 minutes, unless an operator asks for it.
/// </summary>
public sealed class GapRecoveryPipeline : Pipeline
{
    public const string PatientSupplier = "PATIENT_SUPPLIER";

    public TenantApi Tenant { get; } = new();

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Sequencer__GapTimeout"] = "00:00:08",
        [$"Sequencer__SupplierGapTimeouts__{PatientSupplier}"] = "00:10:00",
        ["Sequencer__SweepInterval"] = "00:00:00.200",
        ["Gateway__BaseUrl"] = Tenant.BaseAddress.ToString(),
        ["Gateway__ClientId"] = TenantApi.ClientId,
        ["Gateway__ClientSecret"] = TenantApi.ClientSecret,
        ["Gateway__AttemptTimeout"] = "00:00:01",
        ["Gateway__TotalTimeout"] = "00:00:03",
        ["Gateway__MaxRetries"] = "2",
        ["Gateway__BreakDuration"] = "00:00:01",
    };

    public override async Task InitializeAsync()
    {
        await Tenant.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Tenant.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GapRecoveryCollection : ICollectionFixture<GapRecoveryPipeline>
{
    public const string Name = "gap-recovery pipeline";
}

/// <summary>Issue 13: a missing number is asked of the gateway's order read before its gap times out.</summary>
[Collection(GapRecoveryCollection.Name)]
public class When_a_gap_is_recovered_from_the_gateway(GapRecoveryPipeline pipeline)
{
    private const string Provide = "PROVIDE_ORDER";
    private const string Reads = "service-orders";
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static JsonObject Kci(long order, long number, string? supplier = null)
    {
        var body = Samples.Kci("provide-order-informational.json", order, number);
        if (supplier is not null)
            body["supplier"] = supplier;
        return body;
    }

    private async Task PostAsync(JsonObject kci)
    {
        var response = await pipeline.PostKciAsync(kci);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Posts #1 and #3 of a new order whose #2 only the gateway's read holds; returns the three KCIs.</summary>
    private async Task<(long Order, JsonObject[] Kcis, Stopwatch SinceGap)> OrderMissingItsSecondAsync(
        TenantApi.Behaviour behaviour = TenantApi.Behaviour.Answer, string? supplier = null, bool readKnowsSecond = true)
    {
        var order = Samples.NewEntityId();
        JsonObject[] kcis = [Kci(order, 1, supplier), Kci(order, 2, supplier), Kci(order, 3, supplier)];
        pipeline.Tenant.Serve(Reads, order, readKnowsSecond ? TenantApi.OrderOf(kcis) : TenantApi.OrderOf(kcis[0], kcis[2]), behaviour);
        await PostAsync(kcis[0]);
        await PostAsync(kcis[2]);
        return (order, kcis, Stopwatch.StartNew());
    }

    [Fact]
    public async Task Should_handle_a_missing_number_the_gateway_knows_in_its_place_before_the_gap_times_out()
    {
        var (order, kcis, sinceGap) = await OrderMissingItsSecondAsync();

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
        Assert.True(sinceGap.Elapsed < GapTimeout, $"recovered after {sinceGap.Elapsed}, not within the 2 s recovery delay and a few seconds");
        Assert.Equal([1L, 2L, 3L], timeline.Numbers());
        Assert.Equal(kcis[1]["id"]!.GetValue<string>(), timeline[1]!["id"]!.GetValue<string>());
        Assert.True(timeline.Flags(1)["recovered"]!.GetValue<bool>());
        Assert.Equal($"GET /service-orders/{order}", timeline[1]!["recoveredFrom"]!.GetValue<string>());
        Assert.False(timeline.Flags(1)["late"]!.GetValue<bool>());
        Assert.Equal(0, timeline.Flags(2)["gapBefore"]!.GetValue<long>());
        Assert.False(timeline.Flags(0)["recovered"]!.GetValue<bool>());
        Assert.False(timeline.Flags(2)["recovered"]!.GetValue<bool>());

        var page = await pipeline.OrderAsync(Provide, order);
        Assert.Empty(page["gaps"]!.AsArray());
        Assert.Equal(3, page["lastAppliedSequence"]!.GetValue<long>());
        Assert.Contains($"Recovered KCI {kcis[1]["id"]!.GetValue<string>()} (number 2) of PROVIDE_ORDER/{order}", pipeline.Sequencer.Output);
        Assert.Equal(0, pipeline.Tenant.WithoutHeaders);
    }

    [Fact]
    public async Task Should_take_a_new_token_when_the_gateway_refuses_the_one_it_holds()
    {
        var (first, _, _) = await OrderMissingItsSecondAsync();
        await pipeline.WaitForTimelineAsync(Provide, first.ToString(), t => t.Count == 3, Patience); // a token is held now
        var issued = pipeline.Tenant.TokensIssued;
        pipeline.Tenant.RevokeTokens();

        var (order, _, sinceGap) = await OrderMissingItsSecondAsync();

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
        Assert.True(sinceGap.Elapsed < GapTimeout, $"recovered after {sinceGap.Elapsed}");
        Assert.True(timeline.Flags(1)["recovered"]!.GetValue<bool>());
        Assert.Equal(issued + 1, pipeline.Tenant.TokensIssued);
    }

    [Fact]
    public async Task Should_ignore_the_recovered_KCI_when_the_gateway_delivers_it_later()
    {
        var (order, kcis, _) = await OrderMissingItsSecondAsync();
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);

        var lateDelivery = Guid.NewGuid().ToString();
        var response = await pipeline.PostKciAsync(kcis[1], requestId: lateDelivery);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode); // accepted, as every repeat is

        await pipeline.Sequencer.WaitForLineAsync(Patience,
            $"Ignored KCI {kcis[1]["id"]!.GetValue<string>()} #2 of PROVIDE_ORDER/{order}: the same KCI id was already received (request {lateDelivery})");
        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count >= 3, Patience);
        Assert.Equal([1L, 2L, 3L], timeline.Numbers());
        Assert.True(timeline.Flags(1)["recovered"]!.GetValue<bool>(), "the recovered copy is the one handled");
    }

    [Fact]
    public async Task Should_keep_a_number_the_gateway_does_not_know_a_gap_and_skip_it_after_the_timeout()
    {
        var (order, _, sinceGap) = await OrderMissingItsSecondAsync(readKnowsSecond: false);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        Assert.True(sinceGap.Elapsed >= GapTimeout - TimeSpan.FromSeconds(1), $"skipped after {sinceGap.Elapsed}, before the gap timeout");
        Assert.Equal([1L, 3L], timeline.Numbers());
        Assert.Equal(1, timeline.Flags(1)["gapBefore"]!.GetValue<long>());
        Assert.True(pipeline.Tenant.ReadsOf(Reads, order) >= 1, "the gateway was asked");
        Assert.Contains($"of PROVIDE_ORDER/{order} does not hold 1 of its missing numbers (2 to 2); they stay a gap", pipeline.Sequencer.Output);
    }

    [Theory]
    [InlineData(TenantApi.Behaviour.Unavailable, "HTTP 503")]
    [InlineData(TenantApi.Behaviour.Hang, "timed out")]
    public async Task Should_skip_the_gap_after_the_timeout_as_before_when_the_gateway_fails(TenantApi.Behaviour behaviour, string logged)
    {
        var (order, _, sinceGap) = await OrderMissingItsSecondAsync(behaviour);

        await AssertSkippedAsBeforeAsync(order, sinceGap);
        Assert.True(pipeline.Tenant.ReadsOf(Reads, order) >= 2, "the read was retried");
        await pipeline.Sequencer.WaitForLineAsync(Patience, $"Gap recovery of PROVIDE_ORDER/{order} could not read the gateway", logged);
    }

    [Fact]
    public async Task Should_skip_the_gap_after_the_timeout_as_before_when_the_gateway_refuses_connections()
    {
        Stopwatch sinceGap;
        long order;
        await using (await pipeline.Tenant.GoDownAsync())
        {
            (order, _, sinceGap) = await OrderMissingItsSecondAsync();
            await AssertSkippedAsBeforeAsync(order, sinceGap);
        }
        await pipeline.Sequencer.WaitForLineAsync(Patience, $"Gap recovery of PROVIDE_ORDER/{order} could not read the gateway", "refused");
    }

    private async Task AssertSkippedAsBeforeAsync(long order, Stopwatch sinceGap)
    {
        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        Assert.True(sinceGap.Elapsed >= GapTimeout - TimeSpan.FromSeconds(1), $"skipped after {sinceGap.Elapsed}, before the gap timeout");
        Assert.Equal([1L, 3L], timeline.Numbers());
        Assert.Equal(1, timeline.Flags(1)["gapBefore"]!.GetValue<long>());
        Assert.All(timeline, k => Assert.False(k!["flags"]!["recovered"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Should_recover_at_once_when_an_operator_asks_and_record_who_and_why()
    {
        // The patient supplier's recovery is due only after 2.5 minutes: only the operator's command can fill the gap soon.
        var (order, _, _) = await OrderMissingItsSecondAsync(supplier: GapRecoveryPipeline.PatientSupplier);
        var view = await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["waitingReason"]?.GetValue<string>() == "gap", Patience);
        Assert.True(view["recoveryDue"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2));
        Assert.Equal(0, pipeline.Tenant.ReadsOf(Reads, order));

        var reason = $"customer chased order {order}";
        var response = await pipeline.CommandAsync(Provide, order, "recover", reason, who: "ops-recoverer");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
        Assert.Equal([1L, 2L, 3L], timeline.Numbers());
        Assert.True(timeline.Flags(1)["recovered"]!.GetValue<bool>());
        var actions = await pipeline.Operations.GetFromJsonAsync<JsonArray>("operator-actions");
        Assert.Contains(actions!, a => a!["command"]!.GetValue<string>() == "recover" && a["reason"]!.GetValue<string>() == reason
                                       && a["operator"]!.GetValue<string>() == "ops-recoverer" && a["target"]!.GetValue<string>() == $"{Provide}/{order} gap 2-2");

        // Nothing waits any more: a second request is refused with the order as it is now.
        var again = await pipeline.CommandAsync(Provide, order, "recover", reason, who: "ops-recoverer");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Should_recover_every_number_the_gateway_simulator_held_back_and_serves_even_when_it_fails_some_reads()
    {
        // The simulator serves the order read on the Tenant API's address while the test's own API is down.
        await using (await pipeline.Tenant.GoDownAsync())
        {
            var run = await Simulator.RunAsync(pipeline, TimeSpan.FromMinutes(4), "--orders", "30", "--concurrency", "8", "--shuffle", "2",
                "--gaps", "0.15", "--seed", "20261126", "--first-order-id", Samples.NewEntityId().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--gateway-listen", pipeline.Tenant.BaseAddress.ToString(), "--gateway-client-id", TenantApi.ClientId,
                "--gateway-client-secret", TenantApi.ClientSecret, "--gateway-faults", "0.2", "--verify-timeout", "90");

            Assert.True(run.Exit == 0, run.Output);
            Assert.Contains("verify: OK", run.Output, StringComparison.Ordinal);
            var withheld = run.Summary.GetProperty("withheld").GetInt32();
            Assert.True(withheld > 0, "the run held numbers back");
            Assert.Equal(withheld, run.Summary.GetProperty("gapsRecovered").GetInt32());
            Assert.Equal(0, run.Summary.GetProperty("gapsSkipped").GetInt32());
        }
    }

}
