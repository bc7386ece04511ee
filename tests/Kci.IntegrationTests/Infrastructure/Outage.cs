using System.Diagnostics;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>A server of the test stack, stopped and started for real.</summary>
public enum Server
{
    /// <summary>PostgreSQL, stopped with <c>pg_ctl -m fast</c>: connections are cut and refused.</summary>
    PostgreSql,

    /// <summary>RabbitMQ's application (<c>rabbitmqctl stop_app</c>): the node stays up, every connection is closed.</summary>
    RabbitMqApp,

    /// <summary>The whole RabbitMQ broker process, stopped and started again.</summary>
    RabbitMq,
}

/// <summary>
/// Stops and starts the local stack's servers with <c>scripts/stack.sh stop|start</c>, the same commands an operator
/// uses for a drill. Only the local stack: the servers of other tests' pipelines are on it too, so the fault tests run
/// in a collection of their own, one after another with everything else.
/// </summary>
public static class Outage
{
    public static Task StopAsync(Server server) => StackAsync("stop", server);

    public static Task StartAsync(Server server) => StackAsync("start", server);

    private static async Task StackAsync(string verb, Server server)
    {
        if (Environment.GetEnvironmentVariable("KCI_TEST_INFRASTRUCTURE") == "testcontainers")
            throw new NotSupportedException("Outages are made on the local stack; the Testcontainers path does not stop servers yet.");
        var name = server switch { Server.PostgreSql => "postgresql", Server.RabbitMqApp => "rabbitmq-app", _ => "rabbitmq" };
        var start = new ProcessStartInfo(Path.Combine(ServiceProcess.RepositoryRoot, "scripts", "stack.sh"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(name);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/stack.sh {verb} {name} failed ({process.ExitCode}): {await output}{await errors}");
    }
}
