using System.Diagnostics;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// Issue 15: the alert rules in ops/prometheus are valid for Debian's Prometheus, and their unit tests (which series fire
/// which alert, and which stay silent) pass under promtool.
/// </summary>
public class When_the_alert_rules_are_checked
{
    private static string Ops => Path.Combine(ServiceProcess.RepositoryRoot, "ops", "prometheus");

    [Fact]
    public async Task Should_accept_the_rules_file()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", Path.Combine(Ops, "kci-alerts.yml"));

        Assert.True(exitCode == 0, $"promtool check rules exited with {exitCode}:\n{output}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_accept_the_example_scrape_config_with_its_rules()
    {
        var (exitCode, output) = await PromtoolAsync("check", "config", Path.Combine(Ops, "prometheus.yml"));

        Assert.True(exitCode == 0, $"promtool check config exited with {exitCode}:\n{output}");
        Assert.Contains("1 rule files found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fire_each_alert_on_its_series_and_stay_silent_otherwise()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", Path.Combine(Ops, "kci-alerts.test.yml"));

        Assert.True(exitCode == 0, $"promtool test rules exited with {exitCode}:\n{output}");
    }

    [Fact]
    public async Task Should_cover_every_alert_of_the_rules_file_in_its_unit_tests()
    {
        var rules = await File.ReadAllLinesAsync(Path.Combine(Ops, "kci-alerts.yml"));
        var tests = await File.ReadAllTextAsync(Path.Combine(Ops, "kci-alerts.test.yml"));
        var alerts = rules.Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal))
            .Select(l => l["- alert: ".Length..].Trim()).ToList();

        Assert.Equal(PrometheusServer.AlertNames.Order(), alerts.Order());
        foreach (var alert in alerts)
        {
            Assert.Contains($"alertname: {alert}\n        exp_alerts:\n          - exp_labels:", tests.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Contains($"alertname: {alert}\n        exp_alerts: []", tests.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        var promtool = PrometheusServer.Promtool;
        if (!File.Exists(promtool))
            throw new InvalidOperationException($"{promtool} is missing: scripts/stack.sh installs Debian's prometheus package (scripts/stack.sh tools).");
        var start = new ProcessStartInfo(promtool)
        {
            WorkingDirectory = Ops,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"{await stdout}\n{await stderr}");
    }
}
