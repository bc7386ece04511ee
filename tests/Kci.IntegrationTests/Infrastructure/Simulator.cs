using System.Diagnostics;
using System.Text.Json;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>The gateway simulator as a process against a pipeline, with --verify and its JSON summary.</summary>
public static class Simulator
{
    public sealed record Run(int Exit, string Output, JsonElement Summary);

    public static async Task<Run> RunAsync(Pipeline pipeline, TimeSpan timeout, params string[] args)
    {
        var json = Path.Combine(Path.GetTempPath(), $"kci-sim-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(ServiceProcess.RepositoryRoot, "tools", "Kci.GatewaySimulator", "bin", ServiceProcess.Configuration, "net10.0", "Kci.GatewaySimulator.dll"));
        // The simulator serves the gateway's order read while it runs: on a port of its own unless the test names one.
        string[] gateway = args.Contains("--gateway-listen") ? [] : ["--gateway-listen", $"http://127.0.0.1:{ServiceProcess.FreePort()}"];
        foreach (var arg in (string[])["--url", pipeline.Ingress.BaseAddress.ToString(), "--ops-url", pipeline.Handlers.BaseAddress.ToString(),
            "--verify", "--quiet", "--json", json, .. gateway, .. args])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the simulator did not finish within {timeout}: {await output}{await errors}");
        }
        var text = await output + await errors;
        try
        {
            return new Run(process.ExitCode, text, JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.Clone());
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException($"the simulator wrote no summary (exit {process.ExitCode}): {text}");
        }
        finally
        {
            File.Delete(json);
        }
    }
}
