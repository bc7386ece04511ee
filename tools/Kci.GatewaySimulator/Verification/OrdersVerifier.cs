using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kci.GatewaySimulator.Sending;

namespace Kci.GatewaySimulator.Verification;

/// <summary>What the check found, and the send-to-handled times it read on the way.</summary>
public sealed record VerifyResult(int Orders, int Kcis, IReadOnlyList<string> Mismatches, Percentiles SendToHandled,
    DateTimeOffset? FirstSent, DateTimeOffset? LastHandled);

/// <summary>
/// Asks the operations API for every order that was sent, waiting (up to the timeout) until its timeline holds as
/// many KCIs as were sent, then checks it. A second look a moment later catches anything handled twice late. An
/// operations API that answers 5xx, times out or refuses connections (during an outage, say) is asked again until the
/// timeout; what it last said is reported with the order, and the run fails rather than crashes.
/// </summary>
public sealed class OrdersVerifier(HttpClient operations, TokenSource? tokens, SimulatorOptions options, TimeProvider clock)
{
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
        await Parallel.ForEachAsync(ordered, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (order, token) =>
            {
                var timeline = await ReadAsync(order, token) ?? timelines[order];
                var key = $"{order.EntityType}/{order.EntityId}";
                if (timeline.Count < order.Expected.Count && _unanswered.TryGetValue(order, out var why))
                    mismatches.Add($"{key}: the operations API did not answer ({why})");
                foreach (var problem in TimelineCheck.Mismatches(key, order.Expected, timeline))
                    mismatches.Add(problem);
                foreach (var entry in timeline)
                    if (order.FirstSent.TryGetValue(entry.Id, out var sent))
                        latencies.Add((entry.HandledAt - sent).TotalMilliseconds);
                timelines[order] = timeline;
            });

        var handled = timelines.Values.SelectMany(t => t).Select(t => t.HandledAt).DefaultIfEmpty().Max();
        var first = orders.SelectMany(o => o.FirstSent.Values).DefaultIfEmpty().Min();
        return new VerifyResult(orders.Count, orders.Sum(o => o.Expected.Count), [.. mismatches.Order(StringComparer.Ordinal)],
            Percentiles.Of(latencies), first == default ? null : first, handled == default ? null : handled);
    }

    private async Task<IReadOnlyList<TimelineEntry>> WaitForAsync(SentOrder order, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        IReadOnlyList<TimelineEntry> last = [];
        while (true)
        {
            last = await ReadAsync(order, cancellationToken) ?? last;
            if (last.Count >= order.Expected.Count || clock.GetUtcNow() >= deadline)
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

    internal static TimelineEntry Entry(JsonElement item)
    {
        var flags = item.GetProperty("flags");
        return new TimelineEntry(item.GetProperty("id").GetGuid(), item.GetProperty("sequenceNumber").GetInt64(),
            flags.GetProperty("late").GetBoolean(), flags.GetProperty("sequenceConflict").GetBoolean(), flags.GetProperty("gapBefore").GetInt64(),
            item.GetProperty("handledAt").GetDateTimeOffset());
    }
}
