using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;

namespace Kci.Benchmarks;

/// <summary>
/// The skeleton's load, the burst of benchmark 2 without HTTP: <c>orders</c> orders of <c>kcis-per-order</c> KCIs,
/// each order's sequence numbers shuffled locally, at most <c>concurrency</c> orders in flight. An order's KCIs
/// are published one after another on the worker's channel, each awaited until the broker confirmed it
/// (persistent, to the durable <see cref="SkeletonTopology.Received"/>), like a gateway waiting for each 204.
/// </summary>
internal static class SkeletonLoad
{
    /// <summary><c>skeleton-load --rabbit URI --orders N --kcis-per-order 5 --shuffle 4 --concurrency 32 --seed 1 --body FILE [--json FILE]</c></summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = new Arguments(args);
        var orders = arguments.Int("orders", 1000);
        var kcisPerOrder = arguments.Int("kcis-per-order", 5);
        var shuffle = arguments.Int("shuffle", 4);
        var concurrency = arguments.Int("concurrency", 32);
        var body = await File.ReadAllBytesAsync(arguments.Text("body"));
        var plan = Plan(orders, kcisPerOrder, shuffle, arguments.Int("seed", 1));
        Console.WriteLine($"skeleton-load pid {Environment.ProcessId}: {orders} orders x {kcisPerOrder} KCIs, shuffle {shuffle}, {concurrency} orders in flight");

        await using var connection = await SkeletonTopology.ConnectAsync(arguments.Text("rabbit", "amqp://guest:guest@localhost:5672/"), "skeleton-load");
        var channels = new List<IChannel>();
        for (var i = 0; i < concurrency; i++)
            channels.Add(await SkeletonTopology.CreateConfirmedChannelAsync(connection));
        await SkeletonTopology.DeclareAsync(channels[0]);

        var nextOrder = -1;
        var sent = 0L;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(channels.Select(channel => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref nextOrder)) < orders;)
            {
                var orderId = Guid.NewGuid();
                foreach (var seq in plan[i])
                {
                    var message = new SkeletonMessage(Guid.NewGuid(), orderId, seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), body);
                    await channel.BasicPublishAsync("", SkeletonTopology.Received, mandatory: true, SkeletonTopology.Properties(message), body);
                    Interlocked.Increment(ref sent);
                }
            }
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var channel in channels)
            await channel.DisposeAsync();

        Console.WriteLine($"skeleton-load: sent {sent} KCIs in {seconds:0.00} s ({sent / seconds:0} KCIs/s)");
        if (arguments.Optional("json") is { } json)
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { sent, seconds, kcisPerSecond = sent / seconds }));
        return 0;
    }

    /// <summary>
    /// Each order's sequence numbers (1-based) in sending order: positions sorted by themselves plus a random offset
    /// below <c>shuffle</c> + 1, so no KCI moves more than <c>shuffle</c> places. The same seed gives the same plan.
    /// </summary>
    public static long[][] Plan(int orders, int kcisPerOrder, int shuffle, int seed)
    {
        var random = new Random(seed);
        var plan = new long[orders][];
        for (var o = 0; o < orders; o++)
        {
            plan[o] = Enumerable.Range(1, kcisPerOrder)
                .Select(seq => (seq, key: seq + random.NextDouble() * (shuffle + 1)))
                .ToList()
                .OrderBy(k => k.key)
                .Select(k => (long)k.seq)
                .ToArray();
        }
        return plan;
    }
}
