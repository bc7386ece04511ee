using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's <c>/usr/bin/prometheus</c>) on a free loopback port, scraping the services it is given every
/// second with Kci's alert rules loaded, its data in a temporary folder; queried through its HTTP API. Disposing kills it
/// and deletes the folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    /// <summary>The alerts of ops/prometheus/kci-alerts.yml.</summary>
    public static readonly IReadOnlyList<string> AlertNames =
    [
        "KciOrderWaitingLong", "KciOrderNeedsOperator", "KciDeadLetters", "KciEndpointNotConsuming", "KciServiceDown",
        "KciOutboxStuck", "KciOutboxGrowing",
    ];

    public static string RulesFile => Path.Combine(ServiceProcess.RepositoryRoot, "ops", "prometheus", "kci-alerts.yml");

    private readonly Process _process;
    private readonly string _directory;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseAddress { get; }
    public string Output => string.Join('\n', _output);

    /// <summary>Scrapes the Ingress, Sequencer and Handlers of <paramref name="pipeline"/> as jobs kci-ingress, kci-sequencer and kci-handlers.</summary>
    public static Task<PrometheusServer> StartAsync(Pipeline pipeline) =>
        StartAsync(new Dictionary<string, Uri>
        {
            ["kci-ingress"] = pipeline.Ingress.BaseAddress,
            ["kci-sequencer"] = pipeline.Sequencer.BaseAddress,
            ["kci-handlers"] = pipeline.Handlers.BaseAddress,
        });

    /// <summary>Starts Prometheus scraping <c>/metrics</c> of each job's base address every second; returns once it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> jobs)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: scripts/stack.sh installs Debian's prometheus package (scripts/stack.sh tools).");

        var directory = Path.Combine(Path.GetTempPath(), $"kci-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, Config(jobs));

        var port = ServiceProcess.FreePort();
        var start = new ProcessStartInfo(Binary)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
                     $"--config.file={config}",
                     $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}",
                     "--storage.tsdb.retention.time=1h",
                     "--log.level=warn",
                 ])
            start.ArgumentList.Add(arg);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new PrometheusServer(process, directory, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private static string Config(IReadOnlyDictionary<string, Uri> jobs)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("global:");
        yaml.AppendLine("  scrape_interval: 1s");
        yaml.AppendLine("  scrape_timeout: 1s");
        yaml.AppendLine("  evaluation_interval: 1s");
        yaml.AppendLine("rule_files:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  - '{RulesFile}'");
        yaml.AppendLine("scrape_configs:");
        foreach (var (job, address) in jobs)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: '{job}'");
            yaml.AppendLine("    metrics_path: /metrics");
            yaml.AppendLine("    static_configs:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{address.Authority}']");
        }
        return yaml.ToString();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                if ((await _http.GetAsync("-/ready")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"prometheus was not ready within {timeout}:\n{Output}");
    }

    /// <summary>An instant query (<c>/api/v1/query</c>): each series of the vector with its labels and value.</summary>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql)
    {
        var data = await GetDataAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        if (data["resultType"]!.GetValue<string>() != "vector")
            throw new InvalidOperationException($"`{promql}` is not a vector: {data.ToJsonString()}");
        return data["result"]!.AsArray().Select(r => new Sample(
            r!["metric"]!.AsObject().ToDictionary(l => l.Key, l => l.Value!.GetValue<string>()),
            ParseValue(r["value"]![1]!.GetValue<string>()))).ToList();
    }

    /// <summary>The scrape targets (<c>/api/v1/targets</c>) that are active.</summary>
    public async Task<IReadOnlyList<Target>> TargetsAsync()
    {
        var data = await GetDataAsync("api/v1/targets?state=active");
        return data["activeTargets"]!.AsArray().Select(t => new Target(
            t!["labels"]!["job"]!.GetValue<string>(),
            t["scrapeUrl"]!.GetValue<string>(),
            t["health"]!.GetValue<string>(),
            t["lastError"]?.GetValue<string>() ?? "")).ToList();
    }

    /// <summary>The alerting rules Prometheus loaded (<c>/api/v1/rules</c>), by group.</summary>
    public async Task<IReadOnlyList<(string Group, string Alert)>> AlertRulesAsync()
    {
        var data = await GetDataAsync("api/v1/rules?type=alert");
        return data["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray().Select(r => (g["name"]!.GetValue<string>(), r!["name"]!.GetValue<string>())))
            .ToList();
    }

    /// <summary>Polls <paramref name="promql"/> until <paramref name="done"/> holds of its result; the last result otherwise, in the exception.</summary>
    public async Task<IReadOnlyList<Sample>> WaitForAsync(string promql, Func<IReadOnlyList<Sample>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<Sample> last = [];
        while (true)
        {
            last = await QueryAsync(promql);
            if (done(last))
                return last;
            if (DateTime.UtcNow > deadline)
                break;
            await Task.Delay(250);
        }
        throw new TimeoutException($"`{promql}` not as expected after {timeout}: {Describe(last)}\n"
            + $"targets: {string.Join("; ", await TargetsAsync())}\n--- prometheus ---\n{Output}");
    }

    /// <summary>The value of a query that sums to one number (0 when it has no series yet).</summary>
    public async Task<double> ScalarAsync(string promql)
    {
        var result = await QueryAsync(promql);
        return result.Count == 0 ? 0 : result.Sum(s => s.Value);
    }

    public static string Describe(IEnumerable<Sample> samples) =>
        "[" + string.Join(", ", samples.Select(s => s.ToString())) + "]";

    private async Task<JsonNode> GetDataAsync(string path)
    {
        var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(body)!;
        if (!response.IsSuccessStatusCode || json["status"]?.GetValue<string>() != "success")
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
        return json["data"]!;
    }

    private static double ParseValue(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, CultureInfo.InvariantCulture),
    };

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException) { }
    }

    public sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";

        public override string ToString() =>
            "{" + string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString(CultureInfo.InvariantCulture);
    }

    public sealed record Target(string Job, string ScrapeUrl, string Health, string LastError);
}
