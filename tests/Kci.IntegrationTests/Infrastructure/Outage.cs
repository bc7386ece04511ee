using System.Diagnostics;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>A server of the test stack, stopped and started for real.</summary>
public enum Server
{
    /// <summary>PostgreSQL, stopped with <c>pg_ctl -m fast</c> (a container: docker stop, SIGINT): connections are cut and refused.</summary>
    PostgreSql,

    /// <summary>RabbitMQ's application (<c>rabbitmqctl stop_app</c>): the node stays up, every connection is closed.</summary>
    RabbitMqApp,

    /// <summary>The whole RabbitMQ broker process, stopped and started again.</summary>
    RabbitMq,
}

/// <summary>
/// Stops and starts the servers for real: the local stack's with <c>scripts/stack.sh stop|start</c>, the same commands
/// an operator uses for a drill; on the Testcontainers path, the run's containers (docker stop and start, or
/// rabbitmqctl inside the broker's). The servers of other tests' pipelines are the same ones, so the fault tests run
/// in a collection of their own, one after another with everything else.
/// </summary>
public static class Outage
{
    public static async Task StopAsync(Server server)
    {
        if (TestServers.OnContainers)
            await (await TestContainerServers.SharedAsync()).StopAsync(server);
        else
            await StackAsync("stop", server);
    }

    public static async Task StartAsync(Server server)
    {
        if (TestServers.OnContainers)
            await (await TestContainerServers.SharedAsync()).StartAsync(server);
        else
            await StackAsync("start", server);
    }

    private static async Task StackAsync(string verb, Server server)
    {
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
