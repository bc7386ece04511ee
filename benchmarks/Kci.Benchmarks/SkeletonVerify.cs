using System.Diagnostics;
using System.Text.Json;
using Kci.GatewaySimulator.Sending;
using Npgsql;

namespace Kci.Benchmarks;

/// <summary>
/// Waits until the skeleton's handlers recorded every KCI of the load, then checks what the pipeline promises and
/// measures it. Exactly once: N x K timeline rows, N orders, K numbers each, no KCI twice. In order: within each
/// order the handlers' commit order (handled_no) follows the sequence numbers 1, 2, ... K. The figures, from the
/// rows themselves: KCIs/s over first send to last handled, and send-to-handled percentiles (the load's clock for
/// the send, PostgreSQL's for handled: the same machine).
/// </summary>
internal static class SkeletonVerify
{
    /// <summary><c>skeleton-verify --pg CONNSTRING --orders N --kcis-per-order 5 [--timeout 3600] [--json FILE]</c>; exit 1 unless verified.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = new Arguments(args);
        var orders = arguments.Int("orders", 1000);
        var kcisPerOrder = arguments.Int("kcis-per-order", 5);
        var expected = (long)orders * kcisPerOrder;
        var timeout = TimeSpan.FromSeconds(arguments.Int("timeout", 3600));
        await using var db = NpgsqlDataSource.Create(arguments.Text("pg"));

        var rows = await WaitAsync(db, expected, timeout);

        await using var counts = db.CreateCommand("""
            SELECT count(*), count(DISTINCT kci_id), count(DISTINCT (order_id, seq)), count(DISTINCT order_id), count(*) FILTER (WHERE seq < 1 OR seq > $1)
            FROM skel.timeline
            """);
        counts.Parameters.Add(new NpgsqlParameter { Value = (long)kcisPerOrder });
        long total, distinctKcis, distinctNumbers, distinctOrders, outOfRange;
        await using (var reader = await counts.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (total, distinctKcis, distinctNumbers, distinctOrders, outOfRange) =
                (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }
        // With at most K numbers per order and N x K distinct (order, number) pairs over N orders, each order has all K.
        var exactlyOnce = total == expected && distinctKcis == expected && distinctNumbers == expected && distinctOrders == orders && outOfRange == 0;

        await using var order = db.CreateCommand("""
            SELECT count(*) FROM (
                SELECT seq, row_number() OVER (PARTITION BY order_id ORDER BY handled_no) AS position FROM skel.timeline) t
            WHERE seq <> position
            """);
        var outOfOrder = (long)(await order.ExecuteScalarAsync())!;
        var inOrder = total > 0 && outOfOrder == 0;

        var latencies = new List<double>((int)Math.Min(total, 10_000_000));
        long firstSent = long.MaxValue;
        double lastHandled = 0;
        await using (var times = db.CreateCommand("SELECT sent_at_ms, (extract(epoch FROM handled_at) * 1000)::float8 FROM skel.timeline"))
        await using (var reader = await times.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var sent = reader.GetInt64(0);
                var handled = reader.GetDouble(1);
                latencies.Add(handled - sent);
                firstSent = Math.Min(firstSent, sent);
                lastHandled = Math.Max(lastHandled, handled);
            }
        }
        var latency = Percentiles.Of(latencies);
        var seconds = total > 0 ? (lastHandled - firstSent) / 1000 : 0;
        var summary = new
        {
            kcis = total,
            seconds,
            kcisPerSecond = seconds > 0 ? total / seconds : 0,
            p50Ms = latency.P50,
            p99Ms = latency.P99,
            inOrder,
            exactlyOnce,
        };
        Console.WriteLine($"skeleton-verify: {total} of {expected} KCIs handled ({distinctOrders} orders), {summary.kcisPerSecond:0.0} KCIs/s over {seconds:0.00} s, "
            + $"send-to-handled {latency}; exactly once: {exactlyOnce}, in order: {inOrder} ({outOfOrder} out of place)");
        if (arguments.Optional("json") is { } json)
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(summary));
        return rows >= expected && exactlyOnce && inOrder ? 0 : 1;
    }

    /// <summary>Polls the timeline's row count every second (progress every 10 s) until it reaches <paramref name="expected"/> or the timeout.</summary>
    private static async Task<long> WaitAsync(NpgsqlDataSource db, long expected, TimeSpan timeout)
    {
        await using var count = db.CreateCommand("SELECT count(*) FROM skel.timeline");
        var started = Stopwatch.GetTimestamp();
        var lastReport = started;
        while (true)
        {
            var rows = (long)(await count.ExecuteScalarAsync())!;
            if (rows >= expected)
                return rows;
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                Console.WriteLine($"skeleton-verify: timed out after {timeout.TotalSeconds:0} s with {rows} of {expected} KCIs handled");
                return rows;
            }
            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                Console.WriteLine($"skeleton-verify: {rows} of {expected} KCIs handled");
                lastReport = Stopwatch.GetTimestamp();
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
