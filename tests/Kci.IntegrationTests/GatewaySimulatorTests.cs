using System.Net;
using System.Text.Json;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>A pipeline whose gap timeout is short, so the simulator's held-back numbers are skipped within the test.</summary>
public sealed class SimulatorPipeline : Pipeline
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Sequencer__GapTimeout"] = "00:00:02",
        ["Sequencer__SweepInterval"] = "00:00:00.200",
    };
}

[CollectionDefinition(Name)]
public sealed class SimulatorCollection : ICollectionFixture<SimulatorPipeline>
{
    public const string Name = "simulator pipeline";
}

/// <summary>The gateway simulator against the real stack, with --verify, as the README shows it.</summary>
[Collection(SimulatorCollection.Name)]
public class When_the_gateway_simulator_runs(SimulatorPipeline pipeline)
{
    [Fact]
    public async Task Should_verify_every_journey_handled_once_in_order_with_gaps_and_repeats()
    {
        var (exit, output, summary) = await SimulateAsync("--orders", "60", "--concurrency", "8", "--shuffle", "3", "--duplicates", "0.1",
            "--gaps", "0.1", "--seed", "20261124");

        Assert.True(exit == 0, output);
        Assert.Contains("verify: OK", output, StringComparison.Ordinal);
        Assert.Equal(summary.GetProperty("requests").GetInt32(), summary.GetProperty("accepted").GetInt32());
        Assert.True(summary.GetProperty("repeats").GetInt32() > 0, "the run sent repeats");
        Assert.True(summary.GetProperty("withheld").GetInt32() > 0, "the run held numbers back");
        var verify = summary.GetProperty("verify");
        Assert.Equal(0, verify.GetProperty("mismatches").GetArrayLength());
        Assert.Equal(summary.GetProperty("distinctKcis").GetInt32(), verify.GetProperty("kcis").GetInt32());
        // This pipeline has no gap recovery: every held-back number is skipped after the gap timeout, and that is right.
        Assert.Equal(summary.GetProperty("withheld").GetInt32(), summary.GetProperty("gapsSkipped").GetInt32());
        Assert.Equal(0, summary.GetProperty("gapsRecovered").GetInt32());
    }

    [Fact]
    public async Task Should_exit_non_zero_when_the_operations_api_shows_a_kci_it_did_not_send()
    {
        string[] run = ["--orders", "1", "--kcis-per-order", "3", "--seed", "77", "--first-order-id", Samples.NewEntityId().ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var (first, firstOutput, summary) = await SimulateAsync(run);
        Assert.True(first == 0, firstOutput);

        var entityId = long.Parse(run[^1], System.Globalization.CultureInfo.InvariantCulture);
        var stranger = Samples.Kci("provide-order-informational.json", entityId, 4);
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(stranger)).StatusCode);
        await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(System.Globalization.CultureInfo.InvariantCulture), t => t.Count == 4, TimeSpan.FromSeconds(30));

        var (second, output, _) = await SimulateAsync(run); // the same seed sends the same KCIs again: repeats, ignored
        Assert.Equal(1, second);
        Assert.Contains("verify: FAILED", output, StringComparison.Ordinal);
        Assert.Contains("#4", output, StringComparison.Ordinal);
        Assert.Contains("never sent", output, StringComparison.Ordinal);
        Assert.Equal(3, summary.GetProperty("distinctKcis").GetInt32());
    }

    private async Task<(int Exit, string Output, JsonElement Summary)> SimulateAsync(params string[] args)
    {
        var run = await Simulator.RunAsync(pipeline, TimeSpan.FromMinutes(4), ["--verify-timeout", "120", .. args]);
        return (run.Exit, run.Output, run.Summary);
    }
}
