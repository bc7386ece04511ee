using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// The Testcontainers path (KCI_TEST_INFRASTRUCTURE=testcontainers, docs/docker.md): one PostgreSQL and one RabbitMQ
/// container for the whole run, shared by every pipeline as the local stack's servers are, each pipeline in a database
/// and a virtual host of its own. Their ports are bound to fixed free host ports, so a container stopped and started
/// for an outage test comes back where the services look for it. Every container carries the run's label
/// (<c>kci.test-run</c>): scripts/test.sh removes whatever a killed run leaves, which is Ryuk's job where its image
/// can be pulled.
/// </summary>
public sealed class TestContainerServers
{
    private static readonly Lazy<Task<TestContainerServers>> Shared = new(StartAsync);

    private readonly PostgreSqlContainer _postgres;
    private readonly RabbitMqContainer _rabbit;

    private TestContainerServers(PostgreSqlContainer postgres, RabbitMqContainer rabbit, int managementPort)
    {
        _postgres = postgres;
        _rabbit = rabbit;
        AdminConnectionString = postgres.GetConnectionString();
        AmqpHost = rabbit.Hostname;
        AmqpPort = rabbit.GetMappedPublicPort(5672);
        Management = new Uri($"http://{rabbit.Hostname}:{managementPort}/");
    }

    public string AdminConnectionString { get; }
    public string AmqpHost { get; }
    public int AmqpPort { get; }
    public Uri Management { get; }

    public static Task<TestContainerServers> SharedAsync() => Shared.Value;

    private static async Task<TestContainerServers> StartAsync()
    {
        var run = Environment.GetEnvironmentVariable("KCI_TEST_RUN") ?? $"manual-{Environment.ProcessId}";
        var managementPort = ServiceProcess.FreePort();
        var postgres = new PostgreSqlBuilder("postgres:15")
            .WithPortBinding(ServiceProcess.FreePort(), 5432)
            .WithCommand("-c", "max_connections=200", "-c", "shared_buffers=256MB") // as scripts/stack.sh configures it
            .WithLabel("kci.test-run", run)
            .Build();
        var rabbit = new RabbitMqBuilder("rabbitmq:3.13-management")
            .WithUsername("guest").WithPassword("guest")
            .WithPortBinding(ServiceProcess.FreePort(), 5672)
            .WithPortBinding(managementPort, 15672)
            .WithLabel("kci.test-run", run)
            .Build();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                RemoveAsync(postgres, rabbit).Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
                // scripts/test.sh removes what is left by the run's label
            }
        };
        try
        {
            await Task.WhenAll(postgres.StartAsync(), rabbit.StartAsync());
            var servers = new TestContainerServers(postgres, rabbit, managementPort);
            await servers.WaitForManagementAsync(); // the AMQP listener comes first; the tests need the API too
            return servers;
        }
        catch
        {
            await RemoveAsync(postgres, rabbit); // whichever started: the run fails, and leaves nothing behind
            throw;
        }
    }

    private static Task RemoveAsync(PostgreSqlContainer postgres, RabbitMqContainer rabbit) =>
        Task.WhenAll(postgres.DisposeAsync().AsTask(), rabbit.DisposeAsync().AsTask());

    /// <summary>Stops a server as scripts/stack.sh stop does on the local stack.</summary>
    public async Task StopAsync(Server server)
    {
        switch (server)
        {
            case Server.PostgreSql: // docker stop sends SIGINT, postgres's fast shutdown, as pg_ctl -m fast
                await _postgres.StopAsync();
                break;
            case Server.RabbitMqApp:
                await RabbitMqCtlAsync("stop_app");
                break;
            default: // the broker's process, stopped cleanly by docker stop's SIGTERM
                await _rabbit.StopAsync();
                break;
        }
    }

    /// <summary>Starts it again and waits until it answers, as scripts/stack.sh start does.</summary>
    public async Task StartAsync(Server server)
    {
        switch (server)
        {
            case Server.PostgreSql:
                await _postgres.StartAsync();
                await WaitForPostgresAsync();
                break;
            case Server.RabbitMqApp:
                await RabbitMqCtlAsync("start_app");
                await WaitForManagementAsync();
                break;
            default:
                await _rabbit.StartAsync();
                await WaitForManagementAsync();
                break;
        }
    }

    private async Task RabbitMqCtlAsync(string command)
    {
        var result = await _rabbit.ExecAsync(["rabbitmqctl", "-q", command]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {command} failed ({result.ExitCode}): {result.Stdout}{result.Stderr}");
    }

    private Task WaitForPostgresAsync() => UntilAnswersAsync($"PostgreSQL at {AdminConnectionString}", async () =>
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    });

    private async Task WaitForManagementAsync()
    {
        using var http = TestServers.Management(Management);
        await UntilAnswersAsync($"RabbitMQ's management API at {Management}", async () =>
        {
            try
            {
                return (await http.GetAsync("api/overview")).IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        });
    }

    /// <summary>Asks every half second, for at most 90 s, as scripts/stack.sh start waits for a server it started.</summary>
    private static async Task UntilAnswersAsync(string server, Func<Task<bool>> answers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await answers())
        {
            if (DateTime.UtcNow >= deadline)
                throw new InvalidOperationException($"{server} did not answer within 90 s");
            await Task.Delay(500);
        }
    }
}
