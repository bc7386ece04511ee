using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.Journeys;
using RabbitMQ.Client;

namespace Kci.Benchmarks;

/// <summary>
/// The skeleton's load: the very burst the gateway simulator sends Kci in benchmark 2 (its <see cref="JourneyGenerator"/>
/// with the same orders, KCIs per order, shuffle, seed and first order id: the same KCI ids, bodies and sending order),
/// without HTTP. At most <c>concurrency</c> orders are in flight; an order's KCIs are published one after another on the
/// worker's channel, each awaited until the broker confirmed it (persistent, to the durable
/// <see cref="SkeletonTopology.Received"/>), like a gateway waiting for each 204.
/// </summary>
internal static class SkeletonLoad
{
    /// <summary><c>skeleton-load --rabbit URI --orders N --kcis-per-order 5 --shuffle 4 --concurrency 32 --seed 1 --first-order-id ID [--json FILE]</c></summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = new Arguments(args);
        var options = new SimulatorOptions
        {
            Orders = arguments.Int("orders", 1000),
            KcisPerOrder = arguments.Int("kcis-per-order", 5),
            Shuffle = arguments.Int("shuffle", 4),
            Seed = arguments.Int("seed", 1),
            FirstOrderId = arguments.Optional("first-order-id") is { } first ? long.Parse(first, CultureInfo.InvariantCulture) : null,
        };
        var concurrency = arguments.Int("concurrency", 32);
        var generator = new JourneyGenerator(options);
        Console.WriteLine($"skeleton-load pid {Environment.ProcessId}: {options.Orders} orders x {options.KcisPerOrder} KCIs, shuffle {options.Shuffle}, {concurrency} orders in flight");

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
            for (int i; (i = Interlocked.Increment(ref nextOrder)) < options.Orders;)
            {
                var order = generator.Order(i);
                var orderId = Guid.NewGuid();
                foreach (var send in order.Sends)
                {
                    var kci = send.Kci;
                    var message = new SkeletonMessage(kci.Id, orderId, kci.SequenceNumber, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), kci.Body);
                    await channel.BasicPublishAsync("", SkeletonTopology.Received, mandatory: true, SkeletonTopology.Properties(message), kci.Body);
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
}
