using System.Diagnostics;
using Kci.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kci.IntegrationTests;

/// <summary>Two Sequencer and two Handlers instances on the same queues.</summary>
public sealed class ScaleOutPipeline : Pipeline
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var second = new[] { StartService("Sequencer"), StartService("Handlers") };
        await Task.WhenAll(second.Select(s => s.WaitUntilReadyAsync()));
    }
}

// Runs alone, after the parallel collections: it loads both cores, and its figures mean more undisturbed.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleOutCollection : ICollectionFixture<ScaleOutPipeline>
{
    public const string Name = "scale-out pipeline";
}

[Collection(ScaleOutCollection.Name)]
public class When_two_instances_of_each_service_share_the_queues(ScaleOutPipeline pipeline, ITestOutputHelper output)
{
    [Fact]
    public async Task Should_handle_500_orders_of_10_shuffled_kcis_with_duplicates_exactly_once_in_order()
    {
        var burst = new Burst(orders: 500, kcisPerOrder: 10, duplicateRate: 0.10, seed: 4242);
        var clock = Stopwatch.StartNew();

        await burst.SendAsync(pipeline);
        var sent = clock.Elapsed;
        await burst.AssertEveryOrderHandledExactlyOnceInOrderAsync(pipeline, TimeSpan.FromMinutes(5));
        clock.Stop();

        var distinct = burst.Orders.Count * burst.KcisPerOrder;
        output.WriteLine($"scale-out: {burst.Count} requests ({distinct} distinct KCIs) sent in {sent.TotalSeconds:F1} s; " +
                         $"all handled in {clock.Elapsed.TotalSeconds:F1} s = {distinct / clock.Elapsed.TotalSeconds:F0} KCIs/s");
        Console.WriteLine($"[scale-out] {distinct} KCIs handled in {clock.Elapsed.TotalSeconds:F1} s ({distinct / clock.Elapsed.TotalSeconds:F0} KCIs/s)");
    }
}
