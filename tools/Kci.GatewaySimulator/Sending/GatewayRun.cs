using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Kci.GatewaySimulator.GatewayApi;
using Kci.GatewaySimulator.Journeys;

namespace Kci.GatewaySimulator.Sending;

/// <summary>What was sent of one order, kept for the check: its expected timeline and when each KCI first went out.</summary>
public sealed record SentOrder(string EntityType, long EntityId, IReadOnlyList<ExpectedKci> Expected, IReadOnlyDictionary<Guid, DateTimeOffset> FirstSent, bool AllAccepted)
{
    /// <summary>The numbers held back (--gaps): never POSTed, but in the simulated gateway's order read.</summary>
    public IReadOnlyList<WithheldKci> Withheld { get; init; } = [];
}

/// <summary>
/// Plays the orders: <c>concurrency</c> orders in flight, each order's POSTs one after another in its planned
/// order, all POSTs paced to the run's rate when one is set. Each order is made known to the simulated gateway's
/// order read (when it runs) just before its first POST, and each KCI the ingress takes shows there as delivered.
/// </summary>
public sealed class GatewayRun(SimulatorOptions options, KciSender sender, RunStats stats, TimeProvider clock, GatewayOrders? gateway = null)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _paced;

    public async Task<IReadOnlyList<SentOrder>> RunAsync(IEnumerable<PlannedOrder> orders, int totalSends, CancellationToken cancellationToken)
    {
        var sent = new ConcurrentBag<SentOrder>();
        var queue = Channel.CreateBounded<PlannedOrder>(options.Concurrency * 2);
        var started = Stopwatch.GetTimestamp();
        await using (new Progress("sending", () => (stats.Sent - stats.Retries, totalSends,
            $"{(stats.Sent / Math.Max(0.001, Stopwatch.GetElapsedTime(started).TotalSeconds)):N0} req/s, errors {stats.Errors.Values.Sum()}, retries {stats.Retries}"),
            !options.Quiet))
        {
            var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
            {
                await foreach (var order in queue.Reader.ReadAllAsync(cancellationToken))
                    sent.Add(await PlayAsync(order, cancellationToken));
            }, cancellationToken)).ToList();
            foreach (var order in orders)
                await queue.Writer.WriteAsync(order, cancellationToken);
            queue.Writer.Complete();
            await Task.WhenAll(workers);
        }
        return [.. sent];
    }

    private async Task<SentOrder> PlayAsync(PlannedOrder order, CancellationToken cancellationToken)
    {
        var firstSent = new Dictionary<Guid, DateTimeOffset>();
        var allAccepted = true;
        gateway?.Register(order);
        foreach (var send in order.Sends)
        {
            await PaceAsync(cancellationToken);
            var at = clock.GetUtcNow();
            firstSent.TryAdd(send.Kci.Id, at);
            var accepted = await sender.SendAsync(order, send, cancellationToken);
            if (accepted)
                gateway?.Delivered(order, send.Kci.SequenceNumber);
            allAccepted &= accepted;
        }
        return new SentOrder(order.EntityType, order.EntityId, order.Expected(), firstSent, allAccepted) { Withheld = order.WithheldKcis() };
    }

    /// <summary>The n-th POST of the run waits until n / rate seconds after the first.</summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        if (options.Rate <= 0)
            return;
        var n = Interlocked.Increment(ref _paced) - 1;
        var due = TimeSpan.FromSeconds(n / options.Rate) - Stopwatch.GetElapsedTime(_start);
        if (due > TimeSpan.Zero)
            await Task.Delay(due, cancellationToken);
    }
}
