using System.Net;
using Kci.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kci.IntegrationTests;

/// <summary>A pipeline whose services the tests kill (SIGKILL) and restart; a 3 s gap timeout.</summary>
public sealed class CrashPipeline : Pipeline
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Sequencer__GapTimeout"] = "00:00:03",
        // The bursts' supplier (the samples'): a burst's two halves straddle a kill, and a gap between them must wait for the
        // second half however slowly a loaded machine sends it.
        [$"Sequencer__SupplierGapTimeouts__{BurstSupplier}"] = "00:01:00",
        ["Sequencer__SweepInterval"] = "00:00:00.250",
        // A restart is an outage: deadlines due within the grace move out to it. Short here, so a test sees them fire.
        ["Sequencer__GraceAfterOutage"] = "00:00:03",
    };

    public const string BurstSupplier = "SUPPLIER1";

    /// <summary>Kills a service the hard way and starts a new process of it on the same port.</summary>
    public async Task<ServiceProcess> CrashAndRestartAsync(ServiceProcess service, TimeSpan? down = null, Func<Task>? whileDown = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        service.Kill();
        if (whileDown is not null)
            await whileDown();
        if (down is { } wait)
            await Task.Delay(wait);
        var restarted = StartService(service.Name, service.Port, settings);
        await restarted.WaitUntilReadyAsync();
        if (service == Sequencer)
            Sequencer = restarted;
        else if (service == Handlers)
            Handlers = restarted;
        return restarted;
    }
}

// Runs alone, after the parallel collections: it loads both cores, and its figures mean more undisturbed.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection : ICollectionFixture<CrashPipeline>
{
    public const string Name = "crash pipeline";
}

/// <summary>Crash safety: every KCI is handled exactly once, in order, whatever is killed when; gap deadlines survive.</summary>
[Collection(CrashCollection.Name)]
public class When_a_service_is_killed(CrashPipeline pipeline, ITestOutputHelper output)
{
    private const string Provide = "PROVIDE_ORDER";

    [Fact]
    public async Task Should_fire_a_stored_gap_deadline_after_the_sequencer_restarts()
    {
        var order = Samples.NewEntityId();
        foreach (var n in new[] { 2, 3 })
        {
            var kci = Samples.Kci("provide-order-informational.json", order, n);
            kci["supplier"] = "PROMPT_SUPPLIER"; // the 3 s gap timeout
            Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(kci)).StatusCode);
        }
        await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["gapDeadline"] is not null && v["heldNumbers"]!.AsArray().Count == 2,
            TimeSpan.FromSeconds(10));

        // Down for longer than the gap timeout: the deadline passes while no sequencer runs. After the restart it is moved
        // out by the grace (3 s here), then fires: the gap is skipped, once.
        await pipeline.CrashAndRestartAsync(pipeline.Sequencer, down: TimeSpan.FromSeconds(4));

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, TimeSpan.FromSeconds(15));
        Assert.Equal([2L, 3L], timeline.Numbers());
        Assert.Equal(1, timeline.Flags(0)["gapBefore"]!.GetValue<long>());
    }

    [Fact]
    public Task Should_handle_every_kci_once_in_order_when_the_sequencer_is_killed_mid_burst() =>
        KillMidBurstAsync(pipeline.Sequencer, "sequencer", seed: 7);

    [Fact]
    public Task Should_handle_every_kci_once_in_order_when_handlers_is_killed_mid_burst() =>
        KillMidBurstAsync(pipeline.Handlers, "handlers", seed: 11);

    /// <summary>Half a burst, a SIGKILL, the other half while the service is down, a restart: every order must come out right.</summary>
    private async Task KillMidBurstAsync(ServiceProcess service, string schema, int seed)
    {
        var burst = new Burst(orders: 40, kcisPerOrder: 6, duplicateRate: 0.1, seed: seed);
        await burst.SendAsync(pipeline, from: 0, count: burst.Count / 2);
        await pipeline.CrashAndRestartAsync(service, whileDown: async () =>
        {
            output.WriteLine($"outbox rows left by the killed {schema}: {await pipeline.ScalarAsync<long>($"SELECT count(*) FROM {schema}.outbox")}");
            await burst.SendAsync(pipeline, from: burst.Count / 2); // the ingress keeps taking KCIs meanwhile
        });

        await burst.AssertEveryOrderHandledExactlyOnceInOrderAsync(pipeline, TimeSpan.FromMinutes(2));
        await pipeline.WaitForEmptyOutboxAsync(schema, TimeSpan.FromSeconds(15)); // rows sent after their commit are deleted a moment later
    }


    [Fact]
    public async Task Should_relay_releases_committed_before_the_crash()
    {
        // A release committed to the outbox but not yet sent when the process dies is sent by the next process.
        // To make that moment certain, the sequencer runs with sending after commit off and a trigger marks the
        // release's type so its relay cannot send it yet; it is killed with the row committed, the mark is taken
        // off, and a new process (sending after commit, as by default) must sweep the row it did not write.
        await pipeline.CrashAndRestartAsync(pipeline.Sequencer, settings: new Dictionary<string, string> { ["Outbox__SendAfterCommit"] = "false" });
        var order = Samples.NewEntityId();
        var orderId = Kci.Hosting.NameBasedGuid.ForOrder(Provide, order.ToString());
        await pipeline.ExecuteSqlAsync($"""
            CREATE FUNCTION sequencer.hold_{order}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.correlation_id = '{orderId}' THEN NEW.message_type := 'held:' || NEW.message_type; END IF; RETURN NEW; END $$;
            CREATE TRIGGER hold_{order} BEFORE INSERT ON sequencer.outbox FOR EACH ROW EXECUTE FUNCTION sequencer.hold_{order}();
            """);
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", order, 1))).StatusCode);
            await pipeline.WaitForSagaAsync(orderId, s => s.InFlightKciId is not null, TimeSpan.FromSeconds(10));
            pipeline.Sequencer.Kill();
        }
        finally
        {
            await pipeline.ExecuteSqlAsync($"DROP TRIGGER hold_{order} ON sequencer.outbox; DROP FUNCTION sequencer.hold_{order}();");
        }
        Assert.Equal(1, await pipeline.ScalarAsync<long>("SELECT count(*) FROM sequencer.outbox"));
        await pipeline.ExecuteSqlAsync("UPDATE sequencer.outbox SET message_type = substring(message_type from 6) WHERE message_type LIKE 'held:%'");

        await pipeline.CrashAndRestartAsync(pipeline.Sequencer);
        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, TimeSpan.FromSeconds(15));
        Assert.Equal([1L], timeline.Numbers());
    }

}
