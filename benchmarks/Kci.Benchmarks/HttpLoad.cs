using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Kci.GatewaySimulator.Sending;

namespace Kci.Benchmarks;

/// <summary>
/// A closed-loop load: <c>concurrency</c> workers each POST the same body again and again (a new X-Request-ID
/// each time) for a warm-up, then for the measured duration. The same load is put on the ingress and on the
/// baseline, so the two figures differ only in the server.
/// </summary>
internal static class HttpLoad
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = new Arguments(args);
        var url = new Uri(arguments.Text("url"));
        var body = await File.ReadAllBytesAsync(arguments.Text("body"));
        var concurrency = arguments.Int("concurrency", 32);
        var warmup = TimeSpan.FromSeconds(arguments.Int("warmup", 5));
        var duration = TimeSpan.FromSeconds(arguments.Int("duration", 20));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        using var tokens = arguments.Optional("token-url") is { } tokenUrl
            ? new TokenSource(http, new Uri(tokenUrl), arguments.Text("client-id"), arguments.Text("client-secret"), scope: null, TimeProvider.System)
            : null;
        var token = tokens is null ? null : await tokens.GetAsync(CancellationToken.None);

        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(100_000);
            var failures = 0;
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
                request.Headers.Add("X-Conversation-ID", "benchmark");
                if (token is not null)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                var done = Stopwatch.GetTimestamp();
                if (sent < measureFrom || done > measureTo)
                    continue;
                if ((int)response.StatusCode == 204)
                    latencies.Add(Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds);
                else
                    failures++;
            }
            return (latencies, failures);
        })).ToList();
        var results = await Task.WhenAll(workers);

        var latency = Percentiles.Of(results.SelectMany(r => r.latencies));
        var summary = new
        {
            url = url.ToString(),
            concurrency,
            seconds = duration.TotalSeconds,
            requests = latency.Count,
            failures = results.Sum(r => r.failures),
            requestsPerSecond = latency.Count / duration.TotalSeconds,
            p50Ms = latency.P50,
            p99Ms = latency.P99,
        };
        Console.WriteLine($"{url}: {summary.requestsPerSecond:N0} req/s, p50 {summary.p50Ms:0.0} ms, p99 {summary.p99Ms:0.0} ms, {summary.failures} not 204");
        if (arguments.Optional("json") is { } json)
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(summary));
        return summary.failures == 0 && latency.Count > 0 ? 0 : 1;
    }
}
