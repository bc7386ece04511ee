using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// One of our services running as a real process on a free loopback port, exactly as it is deployed: the
/// built dll with environment configuration. Its console output is kept for assertions and failure reports;
/// <see cref="Kill"/> ends it the hard way (SIGKILL), for crash tests.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Name { get; }
    public int Port { get; }
    public Uri BaseAddress { get; }
    public bool HasExited => _process.HasExited;
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Waits for a line of the service's output that contains every one of <paramref name="parts"/> (ordinal), and returns it.
    /// A service writes a log line when its work is done, which may be after the effect a test saw (a committed row, a message
    /// sent on), so a test never reads the output once and concludes a line is missing.
    /// </summary>
    public async Task<string> WaitForLineAsync(TimeSpan patience, params string[] parts)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (_output.FirstOrDefault(line => parts.All(part => line.Contains(part, StringComparison.Ordinal))) is { } found)
                return found;
            if (DateTime.UtcNow >= deadline)
                throw new Xunit.Sdk.XunitException($"{Name} wrote no line containing [{string.Join("], [", parts)}] within {patience}");
            await Task.Delay(100);
        }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Configuration =>
        typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string DllOf(string service) =>
        Path.Combine(RepositoryRoot, "src", $"Kci.{service}", "bin", Configuration, "net10.0", $"Kci.{service}.dll");

    public static ServiceProcess Start(string service, IReadOnlyDictionary<string, string> settings, int? port = null, params string[] args)
    {
        var dll = DllOf(service);
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (scripts/test.sh does).");

        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_GCgen0size"] = "0x3000000"; // as scripts/run.sh runs the services
        start.Environment["MALLOC_ARENA_MAX"] = "2";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service_ = new ServiceProcess(service, process, port.Value);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) service_._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service_._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service_;
    }

    /// <summary>Runs a one-shot command of a service (such as <c>migrate</c>) to its end.</summary>
    public static async Task RunToEndAsync(string service, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        await using var process = Start(service, settings, port: null, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process._process.WaitForExitAsync(timeout.Token);
        if (process._process.ExitCode != 0)
            throw new InvalidOperationException($"`{service} {string.Join(' ', args)}` exited with {process._process.ExitCode}:\n{process.Output}");
    }

    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                if ((await http.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready in time:\n{Output}");
    }

    private HttpClient? _http;

    /// <summary>A GET to the service (health, say); a refused or timed-out request answers 503, as a load balancer would see it.</summary>
    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        _http ??= new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await _http.GetAsync(path);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops a service; returns how long it took to exit.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan patience)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var bound = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not stop within {patience} of SIGTERM:\n{Output}");
        }
        return clock.Elapsed;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        _http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Kci.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Kci.sln not found above the test binaries");
    }
}
