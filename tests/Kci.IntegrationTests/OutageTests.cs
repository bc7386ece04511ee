using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kci.IntegrationTests;

/// <summary>
/// A pipeline for the fault tests: a gap timeout far shorter than any outage (so a gap that wrongly times out while a
/// server is away shows) yet longer than the simulator's own shuffling at 15 KCIs/s takes (a few seconds), a short
/// acknowledgement timeout so a lost one shows within the test, and the default grace after outages.
/// </summary>
public sealed class OutagePipeline : Pipeline
{
    public const string GapTimeout = "00:00:15";
    public const int AckTimeoutSeconds = 10;

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Sequencer__GapTimeout"] = GapTimeout,
        ["Sequencer__SweepInterval"] = "00:00:00.250",
        ["Sequencer__AckTimeout"] = $"00:00:{AckTimeoutSeconds:00}",
        ["Sequencer__GraceAfterOutage"] = "00:00:30", // the default: the gateway's retries of what got 503 land within it
        ["RabbitMq__EndpointRecoveryAfter"] = "00:00:10",
    };
}

/// <summary>The servers are stopped under this collection's feet: it runs alone, like every collection.</summary>
[CollectionDefinition(Name)]
public sealed class OutageCollection : ICollectionFixture<OutagePipeline>
{
    public const string Name = "outages";
}

/// <summary>
/// PostgreSQL or RabbitMQ goes away for real while the gateway simulator sends a shuffled load, then comes back. The
/// operator's promise: an outage delays KCIs, it never loses, reorders or wedges them.
/// </summary>
[Collection(OutageCollection.Name)]
[Trait("Category", "Outage")]
public class When_a_server_goes_away_under_load(OutagePipeline pipeline, ITestOutputHelper output)
{
    private static readonly string[] Queues =
        ["kci-sequencer", "kci-sequencer-control", "kci-informational", "kci-action-required", "kci-error", "kci-unrecognised", "kci-gaps"];

    [Theory]
    [InlineData(Server.PostgreSql, 30)]
    [InlineData(Server.PostgreSql, 180)]
    [InlineData(Server.RabbitMqApp, 20)]
    [InlineData(Server.RabbitMq, 120)]
    public async Task Should_handle_every_accepted_kci_once_and_in_order_with_nothing_dead_lettered(Server server, int seconds)
    {
        var broker = new Broker(pipeline.Servers);
        var consumersBefore = await WaitForConsumersAsync(broker, TimeSpan.FromSeconds(60));
        var deadLettersBefore = await DeadLetterCountAsync();
        var firstOrderId = Random.Shared.NextInt64(1_000_000_000, 9_000_000_000);
        var seed = Random.Shared.Next(1, int.MaxValue);

        var started = DateTimeOffset.UtcNow;
        var simulation = Simulator.RunAsync(pipeline, TimeSpan.FromSeconds(seconds + 420),
            "--orders", "100", "--shuffle", "3", "--rate", "15", "--concurrency", "16", "--max-retries", "60",
            "--seed", seed.ToString(CultureInfo.InvariantCulture), "--first-order-id", firstOrderId.ToString(CultureInfo.InvariantCulture),
            "--verify-timeout", (seconds + 300).ToString(CultureInfo.InvariantCulture));
        await Task.Delay(TimeSpan.FromSeconds(6));

        await Outage.StopAsync(server);
        var stopped = Stopwatch.StartNew();
        try
        {
            // Readiness tells the truth while the server is away; liveness stays up.
            var affected = server == Server.PostgreSql ? (ServiceProcess[])[pipeline.Sequencer, pipeline.Handlers] : [pipeline.Ingress, pipeline.Sequencer, pipeline.Handlers];
            foreach (var service in affected)
                await WaitForReadinessAsync(service, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
            foreach (var service in (ServiceProcess[])[pipeline.Ingress, pipeline.Sequencer, pipeline.Handlers])
                Assert.Equal(HttpStatusCode.OK, (await service.GetAsync("health/live")).StatusCode);
            if (server == Server.PostgreSql)
                Assert.Equal(HttpStatusCode.OK, (await pipeline.Ingress.GetAsync("health/ready")).StatusCode); // KCIs are still taken

            var left = TimeSpan.FromSeconds(seconds) - stopped.Elapsed;
            if (left > TimeSpan.Zero)
                await Task.Delay(left);
        }
        finally
        {
            await Outage.StartAsync(server);
        }
        var outage = stopped.Elapsed;
        var recovered = DateTimeOffset.UtcNow;

        foreach (var service in (ServiceProcess[])[pipeline.Ingress, pipeline.Sequencer, pipeline.Handlers])
            await WaitForReadinessAsync(service, HttpStatusCode.OK, TimeSpan.FromSeconds(120));

        var run = await simulation;
        var summary = run.Summary;
        var verify = summary.GetProperty("verify");
        Assert.True(run.Exit == 0, $"{run.Output}\n--- Sequencer ---\n{pipeline.Sequencer.Output}");
        Assert.Contains("verify: OK", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, summary.GetProperty("failed").GetInt32());
        Assert.Equal(summary.GetProperty("distinctKcis").GetInt32(), verify.GetProperty("kcis").GetInt32());

        // Nothing left the pipeline: no dead letters, nothing in an _error queue.
        var deadLetters = await DeadLetterCountAsync();
        Assert.True(deadLetters == deadLettersBefore,
            $"{deadLetters - deadLettersBefore} dead letters: {(await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters"))!.ToJsonString()}");
        Assert.Equal(0, await broker.ErrorQueueMessagesAsync());

        // Every endpoint consumes again, with the consumers it had before.
        var consumersAfter = await WaitForConsumersAsync(broker, TimeSpan.FromSeconds(90), consumersBefore);
        Assert.Equal(consumersBefore, consumersAfter);

        var lastHandled = started + TimeSpan.FromSeconds(verify.GetProperty("firstSendToLastHandledSeconds").GetDouble());
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{server} outage {outage.TotalSeconds:0} s: {summary.GetProperty("requests").GetInt32()} requests, " +
            $"{summary.GetProperty("accepted").GetInt32()} answered 204 ({summary.GetProperty("retries").GetInt32()} retries), " +
            $"{verify.GetProperty("kcis").GetInt32()} KCIs of {verify.GetProperty("orders").GetInt32()} orders handled once and in order, " +
            $"0 dead-lettered, drained {Math.Max(0, (lastHandled - recovered).TotalSeconds):0.0} s after recovery");
        output.WriteLine(figures);
        var results = Directory.CreateDirectory(Path.Combine(ServiceProcess.RepositoryRoot, "TestResults"));
        await File.AppendAllTextAsync(Path.Combine(results.FullName, "outage-figures.txt"), figures + Environment.NewLine);
    }

    /// <summary>Every message that ever reached an _error queue of this pipeline (dead or replayed).</summary>
    private async Task<int> DeadLetterCountAsync()
    {
        var dead = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters?state=dead"))!.Count;
        var replayed = (await pipeline.Operations.GetFromJsonAsync<JsonArray>("dead-letters?state=replayed"))!.Count;
        return dead + replayed;
    }

    /// <summary>Waits until every queue of the pipeline has a consumer (and, when given, as many as <paramref name="expected"/>).</summary>
    private static async Task<Dictionary<string, int>> WaitForConsumersAsync(Broker broker, TimeSpan timeout, Dictionary<string, int>? expected = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, int> last = [];
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = (await broker.ConsumersAsync()).Where(q => Queues.Contains(q.Key)).ToDictionary(q => q.Key, q => q.Value);
                if (Queues.All(q => last.GetValueOrDefault(q) > 0) && (expected is null || expected.All(e => last.GetValueOrDefault(e.Key) == e.Value)))
                    return last;
            }
            catch (HttpRequestException)
            {
                // the management API restarts with the broker
            }
            await Task.Delay(500);
        }
        return last;
    }

    private static async Task WaitForReadinessAsync(ServiceProcess service, HttpStatusCode status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = (await service.GetAsync("health/ready")).StatusCode;
            if (last == status)
                return;
            await Task.Delay(200);
        }
        Assert.Fail($"{service.Name} /health/ready stayed {last}, expected {status}\n{service.Output[^Math.Min(service.Output.Length, 4000)..]}");
    }
}
