using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests talk to: the local stack's servers (scripts/stack.sh), or, with
/// KCI_TEST_INFRASTRUCTURE=testcontainers, one pair of containers that Testcontainers starts for the whole run
/// (<see cref="TestContainerServers"/>). Either way each pipeline gets a database and a virtual host of its own,
/// deleted afterwards. A missing server fails the run with a message that says how to start it: nothing is skipped.
/// </summary>
public sealed class TestServers : IAsyncDisposable
{
    private readonly string _database;
    private readonly string _virtualHost;
    private readonly string _adminConnectionString;

    private TestServers(string connectionString, RabbitEndpoint rabbit, string database, string virtualHost, string adminConnectionString, Uri managementUri)
    {
        ConnectionString = connectionString;
        Rabbit = rabbit;
        _database = database;
        _virtualHost = virtualHost;
        _adminConnectionString = adminConnectionString;
        ManagementUri = managementUri;
    }

    public string ConnectionString { get; }
    public RabbitEndpoint Rabbit { get; }

    /// <summary>RabbitMQ's management API, for queue depths, consumer counts and fault injection.</summary>
    public HttpClient Management() => Management(ManagementUri);

    public Uri ManagementUri { get; }

    public static bool OnContainers => Environment.GetEnvironmentVariable("KCI_TEST_INFRASTRUCTURE") == "testcontainers";

    public static async Task<TestServers> StartAsync()
    {
        if (OnContainers)
        {
            var containers = await TestContainerServers.SharedAsync();
            return await IsolateAsync(containers.AdminConnectionString, containers.AmqpHost, containers.AmqpPort, containers.Management,
                "the Testcontainers servers did not answer");
        }
        var admin = Environment.GetEnvironmentVariable("KCI_TEST_POSTGRES")
            ?? "Host=127.0.0.1;Port=5432;Database=kci;Username=kci;Password=kci";
        var amqpPort = int.Parse(Environment.GetEnvironmentVariable("KCI_TEST_AMQP_PORT") ?? "5672", System.Globalization.CultureInfo.InvariantCulture);
        var management = new Uri(Environment.GetEnvironmentVariable("KCI_TEST_RABBIT_MANAGEMENT") ?? "http://localhost:15672/");
        return await IsolateAsync(admin, "localhost", amqpPort, management,
            "Start the local stack with `scripts/stack.sh up`, or run every test with `scripts/test.sh`.");
    }

    /// <summary>A database and a virtual host of this pipeline's own on the servers.</summary>
    private static async Task<TestServers> IsolateAsync(string admin, string amqpHost, int amqpPort, Uri management, string advice)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var database = $"kci_it_{run}";
        var virtualHost = $"kci-it-{run}";

        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"PostgreSQL is not reachable ({ex.Message}). {advice}", ex);
        }

        try
        {
            using var http = Management(management);
            (await http.PutAsync($"api/vhosts/{virtualHost}", null)).EnsureSuccessStatusCode();
            var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
            (await http.PutAsync($"api/permissions/{virtualHost}/guest", permissions)).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"RabbitMQ (management API {management}) is not reachable ({ex.Message}). {advice}", ex);
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = database };
        return new TestServers(builder.ConnectionString, new RabbitEndpoint(amqpHost, amqpPort, virtualHost, "guest", "guest"),
            database, virtualHost, admin, management);
    }

    internal static HttpClient Management(Uri management)
    {
        var http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        using (var http = Management(ManagementUri))
            await http.DeleteAsync($"api/vhosts/{_virtualHost}");
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

public sealed record RabbitEndpoint(string Host, int Port, string VirtualHost, string Username, string Password);
