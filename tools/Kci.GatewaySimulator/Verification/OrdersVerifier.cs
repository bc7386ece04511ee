using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kci.GatewaySimulator.GatewayApi;
using Kci.GatewaySimulator.Sending;

namespace Kci.GatewaySimulator.Verification;

/// <summary>
/// What the check found, the send-to-handled times it read on the way, and how the held-back numbers were handled:
/// recovered from the simulated gateway's order read, or skipped.
/// </summary>
public sealed record VerifyResult(int Orders, int Kcis, IReadOnlyList<string> Mismatches, Percentiles SendToHandled,
    DateTimeOffset? FirstSent, DateTimeOffset? LastHandled, int GapsRecovered = 0, int GapsSkipped = 0);

/// <summary>
/// Asks the operations API for every order that was sent, waiting (up to the timeout) until its timeline holds every
/// KCI that was sent (held-back numbers Kci recovered from the simulated gateway may add rows), then checks it, with
/// what the simulated gateway's order read had served. A second look a moment later catches anything handled twice late. An
/// operations API that answers 5xx, times out or refuses connections (during an outage, say) is asked again until the
/// timeout; what it last said is reported with the order, and the run fails rather than crashes.
/// </summary>
public sealed class OrdersVerifier(HttpClient operations, TokenSource? tokens, SimulatorOptions options, TimeProvider clock, GatewayOrders? gateway = null)
{
    private static readonly IReadOnlyDictionary<long, DateTimeOffset> NothingServed = new Dictionary<long, DateTimeOffset>();

    private const int Parallelism = 4;
    private readonly ConcurrentDictionary<SentOrder, string> _unanswered = new();

    public async Task<VerifyResult> VerifyAsync(IReadOnlyList<SentOrder> orders, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + options.VerifyTimeout;
        var timelines = new ConcurrentDictionary<SentOrder, IReadOnlyList<TimelineEntry>>();
        var ordered = orders.OrderBy(o => o.EntityId).ToList();
        var complete = 0;
        await using (new Progress("verifying", () => (complete, ordered.Count, "orders complete"), !options.Quiet))
        {
            await Parallel.ForEachAsync(ordered, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (order, token) =>
                {
                    timelines[order] = await WaitForAsync(order, deadline, token);
                    Interlocked.Increment(ref complete);
                });
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var mismatches = new ConcurrentBag<string>();
        var latencies = new ConcurrentBag<double>();
        int recovered = 0, skipped = 0;
        await Parallel.ForEachAsync(ordered, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (order, token) =>
            {
                var timeline = await ReadAsync(order, token) ?? timelines[order];
                var key = $"{order.EntityType}/{order.EntityId}";
                if (!HoldsEverySent(order, timeline) && _unanswered.TryGetValue(order, out var why))
                    mismatches.Add($"{key}: the operations API did not answer ({why})");
                var verdict = TimelineCheck.Check(key, order.Expected, order.Withheld,
                    gateway?.Served(order.EntityType, order.EntityId) ?? NothingServed, timeline);
                foreach (var problem in verdict.Mismatches)
                    mismatches.Add(problem);
                Interlocked.Add(ref recovered, verdict.GapsRecovered);
                Interlocked.Add(ref skipped, verdict.GapsSkipped);
                foreach (var entry in timeline)
                    if (order.FirstSent.TryGetValue(entry.Id, out var sent))
                        latencies.Add((entry.HandledAt - sent).TotalMilliseconds);
                timelines[order] = timeline;
            });

        var handled = timelines.Values.SelectMany(t => t).Select(t => t.HandledAt).DefaultIfEmpty().Max();
        var first = orders.SelectMany(o => o.FirstSent.Values).DefaultIfEmpty().Min();
        return new VerifyResult(orders.Count, orders.Sum(o => o.Expected.Count), [.. mismatches.Order(StringComparer.Ordinal)],
            Percentiles.Of(latencies), first == default ? null : first, handled == default ? null : handled, recovered, skipped);
    }

    /// <summary>
    /// Done waiting: every KCI that was sent is there. Counting rows would stop early, as recovered held-back numbers
    /// add rows; and as Kci handles in sequence order, each held-back number (never an order's last) has been recovered
    /// or skipped by the time the KCI after it is handled.
    /// </summary>
    private static bool HoldsEverySent(SentOrder order, IReadOnlyList<TimelineEntry> timeline)
    {
        var handled = timeline.Select(t => t.Id).ToHashSet();
        return order.Expected.All(e => handled.Contains(e.Id));
    }

    private async Task<IReadOnlyList<TimelineEntry>> WaitForAsync(SentOrder order, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        IReadOnlyList<TimelineEntry> last = [];
        while (true)
        {
            last = await ReadAsync(order, cancellationToken) ?? last;
            if (HoldsEverySent(order, last) || clock.GetUtcNow() >= deadline)
                return last;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>The order's timeline; empty while the operations API does not know the order; null when it could not answer.</summary>
    private async Task<IReadOnlyList<TimelineEntry>?> ReadAsync(SentOrder order, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"orders/{Uri.EscapeDataString(order.EntityType)}/{order.EntityId}/kcis");
        try
        {
            if (tokens is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
            using var response = await operations.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return [];
            if (!response.IsSuccessStatusCode)
                return Unanswered(order, $"HTTP {(int)response.StatusCode}");
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            _unanswered.TryRemove(order, out _);
            return [.. json.RootElement.EnumerateArray().Select(Entry)];
        }
        catch (HttpRequestException ex)
        {
            return Unanswered(order, ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unanswered(order, "timed out");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Unanswered(order, $"unreadable answer: {ex.Message}");
        }
    }

    private IReadOnlyList<TimelineEntry>? Unanswered(SentOrder order, string why)
    {
        _unanswered[order] = why;
        return null;
    }

    /// <summary>A timeline row; <c>flags.recovered</c> and <c>recoveredFrom</c> are optional (older Kci has neither).</summary>
    internal static TimelineEntry Entry(JsonElement item)
    {
        var flags = item.GetProperty("flags");
        var recovered = flags.TryGetProperty("recovered", out var flag) && flag.ValueKind == JsonValueKind.True;
        var from = item.TryGetProperty("recoveredFrom", out var source) || flags.TryGetProperty("recoveredFrom", out source)
            ? source.ValueKind == JsonValueKind.String ? source.GetString() : null
            : null;
        return new TimelineEntry(item.GetProperty("id").GetGuid(), item.GetProperty("sequenceNumber").GetInt64(),
            flags.GetProperty("late").GetBoolean(), flags.GetProperty("sequenceConflict").GetBoolean(), flags.GetProperty("gapBefore").GetInt64(),
            item.GetProperty("handledAt").GetDateTimeOffset(), recovered, from);
    }
}
