using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

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
        var token = arguments.Optional("token-url") is { } tokenUrl
            ? await TokenAsync(http, new Uri(tokenUrl), arguments.Text("client-id"), arguments.Text("client-secret"))
            : null;

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

        var all = results.SelectMany(r => r.latencies).Order().ToArray();
        double At(double p) => all.Length == 0 ? 0 : all[Math.Clamp((int)Math.Ceiling(p * all.Length) - 1, 0, all.Length - 1)];
        var summary = new
        {
            url = url.ToString(),
            concurrency,
            seconds = duration.TotalSeconds,
            requests = all.Length,
            failures = results.Sum(r => r.failures),
            requestsPerSecond = all.Length / duration.TotalSeconds,
            p50Ms = At(0.50),
            p99Ms = At(0.99),
        };
        Console.WriteLine($"{url}: {summary.requestsPerSecond:N0} req/s, p50 {summary.p50Ms:0.0} ms, p99 {summary.p99Ms:0.0} ms, {summary.failures} not 204");
        if (arguments.Optional("json") is { } json)
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(summary));
        return summary.failures == 0 && all.Length > 0 ? 0 : 1;
    }

    private static async Task<string> TokenAsync(HttpClient http, Uri tokenUrl, string clientId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
