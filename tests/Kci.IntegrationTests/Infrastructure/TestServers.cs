using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests talk to. With a Docker engine (KCI_TEST_INFRASTRUCTURE=testcontainers,
/// set by scripts/test.sh) they are fresh containers; otherwise they are the local stack's servers, where each
/// run gets a database and a virtual host of its own, deleted afterwards. A missing server fails the run with
/// a message that says how to start it: nothing is skipped.
/// </summary>
public sealed class TestServers : IAsyncDisposable
{
    private readonly PostgreSqlContainer? _postgres;
    private readonly RabbitMqContainer? _rabbit;
    private readonly string? _database;
    private readonly string? _virtualHost;
    private readonly string? _adminConnectionString;
    private readonly Uri? _managementUri;

    private TestServers(string connectionString, RabbitEndpoint rabbit, PostgreSqlContainer? postgres = null, RabbitMqContainer? rabbitContainer = null,
        string? database = null, string? virtualHost = null, string? adminConnectionString = null, Uri? managementUri = null)
    {
        ConnectionString = connectionString;
        Rabbit = rabbit;
        _postgres = postgres;
        _rabbit = rabbitContainer;
        _database = database;
        _virtualHost = virtualHost;
        _adminConnectionString = adminConnectionString;
        _managementUri = managementUri;
    }

    public string ConnectionString { get; }
    public RabbitEndpoint Rabbit { get; }

    /// <summary>RabbitMQ's management API, for queue depths, consumer counts and fault injection.</summary>
    public HttpClient Management() => Management(_managementUri
        ?? throw new NotSupportedException("The management API of a Testcontainers broker is not wired up yet (issue: the Docker path)."));

    public static async Task<TestServers> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("KCI_TEST_INFRASTRUCTURE") == "testcontainers")
            return await StartContainersAsync();
        return await UseLocalStackAsync();
    }

    private static async Task<TestServers> StartContainersAsync()
    {
        var postgres = new PostgreSqlBuilder("postgres:15").Build();
        var rabbit = new RabbitMqBuilder("rabbitmq:3.13-management").Build();
        await Task.WhenAll(postgres.StartAsync(), rabbit.StartAsync());
        var amqp = new Uri(rabbit.GetConnectionString());
        var credentials = Uri.UnescapeDataString(amqp.UserInfo).Split(':', 2);
        return new TestServers(postgres.GetConnectionString(),
            new RabbitEndpoint(amqp.Host, amqp.Port, "/", credentials[0], credentials[1]), postgres, rabbit);
    }

    private static async Task<TestServers> UseLocalStackAsync()
    {
        var admin = Environment.GetEnvironmentVariable("KCI_TEST_POSTGRES")
            ?? "Host=127.0.0.1;Port=5432;Database=kci;Username=kci;Password=kci";
        var amqpPort = int.Parse(Environment.GetEnvironmentVariable("KCI_TEST_AMQP_PORT") ?? "5672", System.Globalization.CultureInfo.InvariantCulture);
        var management = new Uri(Environment.GetEnvironmentVariable("KCI_TEST_RABBIT_MANAGEMENT") ?? "http://localhost:15672/");
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
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable ({ex.Message}). Start the local stack with `scripts/stack.sh up`, or run every test with `scripts/test.sh`.", ex);
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
            throw new InvalidOperationException(
                $"RabbitMQ (management API {management}) is not reachable ({ex.Message}). Start the local stack with `scripts/stack.sh up`, or run every test with `scripts/test.sh`.", ex);
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = database };
        return new TestServers(builder.ConnectionString, new RabbitEndpoint("localhost", amqpPort, virtualHost, "guest", "guest"),
            database: database, virtualHost: virtualHost, adminConnectionString: admin, managementUri: management);
    }

    private static HttpClient Management(Uri management)
    {
        var http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        if (_rabbit is not null)
            await _rabbit.DisposeAsync();
        if (_virtualHost is not null && _managementUri is not null)
        {
            using var http = Management(_managementUri);
            await http.DeleteAsync($"api/vhosts/{_virtualHost}");
        }
        if (_database is not null && _adminConnectionString is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

public sealed record RabbitEndpoint(string Host, int Port, string VirtualHost, string Username, string Password);
