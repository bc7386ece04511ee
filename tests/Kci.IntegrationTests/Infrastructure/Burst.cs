using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>Many orders' KCIs, shuffled with duplicates, sent like a busy gateway; and the check that each order came out right.</summary>
public sealed class Burst
{
    private readonly List<(long Order, long Number, string Body)> _sends = [];

    public Burst(int orders, int kcisPerOrder, double duplicateRate, int seed)
    {
        var random = new Random(seed);
        Orders = Enumerable.Range(0, orders).Select(_ => Samples.NewEntityId()).ToList();
        foreach (var order in Orders)
        {
            for (var n = 1; n <= kcisPerOrder; n++)
            {
                var body = Samples.Kci("provide-order-informational.json", order, n).ToJsonString();
                _sends.Add((order, n, body));
                if (random.NextDouble() < duplicateRate)
                    _sends.Add((order, n, body));
            }
        }
        // Fisher-Yates over everything: any order's KCIs arrive in any order, interleaved with the others.
        for (var i = _sends.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (_sends[i], _sends[j]) = (_sends[j], _sends[i]);
        }
        KcisPerOrder = kcisPerOrder;
    }

    public List<long> Orders { get; }
    public int KcisPerOrder { get; }
    public int Count => _sends.Count;

    /// <summary>Sends every KCI (from <paramref name="from"/>, up to <paramref name="count"/>), retrying 503s as the gateway would.</summary>
    public async Task SendAsync(Pipeline pipeline, int from = 0, int? count = null, int parallelism = 16)
    {
        var token = await pipeline.TokenAsync();
        using var http = new HttpClient { BaseAddress = pipeline.Ingress.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await Parallel.ForEachAsync(_sends.Skip(from).Take(count ?? _sends.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (send, cancellationToken) =>
            {
                for (var attempt = 0; ; attempt++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "kcis") { Content = new StringContent(send.Body, Encoding.UTF8) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
                    request.Headers.Add("X-Conversation-ID", $"burst-{send.Order}");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    using var response = await http.SendAsync(request, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.NoContent)
                        return;
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt > 20)
                        throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    await Task.Delay(200, cancellationToken);
                }
            });
    }

    /// <summary>
    /// Waits until every order's timeline holds all its KCIs, then checks each is exactly 1..n in handling
    /// order: nothing missing, nothing twice, nothing out of order.
    /// </summary>
    public async Task AssertEveryOrderHandledExactlyOnceInOrderAsync(Pipeline pipeline, TimeSpan timeout)
    {
        var expected = Enumerable.Range(1, KcisPerOrder).Select(n => (long)n).ToArray();
        var entityIds = Orders.Select(o => o.ToString()).ToArray();
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, long[]> timelines = [];
        while (DateTime.UtcNow < deadline)
        {
            timelines = await TimelinesAsync(pipeline, entityIds);
            if (timelines.Count == Orders.Count && timelines.Values.All(t => t.Length >= KcisPerOrder))
                break;
            await Task.Delay(250);
        }
        await Task.Delay(500); // a duplicate handled twice would show up by now
        timelines = await TimelinesAsync(pipeline, entityIds);

        var wrong = Orders.Select(o => o.ToString())
            .Where(o => !timelines.TryGetValue(o, out var t) || !t.SequenceEqual(expected))
            .Select(o => $"{o}: [{string.Join(",", timelines.GetValueOrDefault(o) ?? [])}]")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {Orders.Count} orders not handled exactly once in order, e.g.\n{string.Join('\n', wrong.Take(5))}");
    }

    private static async Task<Dictionary<string, long[]>> TimelinesAsync(Pipeline pipeline, string[] entityIds)
    {
        await using var connection = new NpgsqlConnection(pipeline.Servers.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT o.entity_id, array_agg(t.sequence_number ORDER BY t.position)
            FROM handlers.timeline t JOIN handlers.orders o ON o.order_id = t.order_id
            WHERE o.entity_type = 'PROVIDE_ORDER' AND o.entity_id = ANY(@ids)
            GROUP BY o.entity_id
            """, connection);
        query.Parameters.AddWithValue("ids", entityIds);
        var result = new Dictionary<string, long[]>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result[reader.GetString(0)] = reader.GetFieldValue<long[]>(1);
        return result;
    }
}
