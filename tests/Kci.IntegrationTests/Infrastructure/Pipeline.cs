using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// Ingress, Sequencer and Handlers as real processes on the real servers, migrated first: the pipeline the
/// gateway and an operator see. Tests use orders of their own, so they share one pipeline.
/// </summary>
public class Pipeline : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];

    public TestServers Servers { get; private set; } = null!;
    public ServiceProcess Ingress { get; private set; } = null!;
    public ServiceProcess Sequencer { get; protected set; } = null!;
    public ServiceProcess Handlers { get; protected set; } = null!;
    public HttpClient Gateway { get; private set; } = null!;
    public HttpClient Operations { get; private set; } = null!;

    /// <summary>Settings on top of the servers' (for example a short gap timeout).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    public Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Kci"] = Servers.ConnectionString,
            ["RabbitMq__Host"] = Servers.Rabbit.Host,
            ["RabbitMq__Port"] = Servers.Rabbit.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq__VirtualHost"] = Servers.Rabbit.VirtualHost,
            ["RabbitMq__Username"] = Servers.Rabbit.Username,
            ["RabbitMq__Password"] = Servers.Rabbit.Password,
            ["Console__RabbitManagementUrl"] = Servers.ManagementUri.ToString().TrimEnd('/'),
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "None",
        };
        foreach (var (key, value) in ExtraSettings)
            settings[key] = value;
        return settings;
    }

    public virtual async Task InitializeAsync()
    {
        Servers = await TestServers.StartAsync();
        var settings = Settings();
        await Task.WhenAll(
            ServiceProcess.RunToEndAsync("Sequencer", settings, "migrate"),
            ServiceProcess.RunToEndAsync("Handlers", settings, "migrate"));

        Ingress = StartIngress();
        Sequencer = StartService("Sequencer");
        Handlers = StartService("Handlers");
        await Task.WhenAll(_services.Select(s => s.WaitUntilReadyAsync()));

        Gateway = new HttpClient { BaseAddress = Ingress.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Operations = new HttpClient { BaseAddress = Handlers.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ServiceProcess StartService(string name, int? port = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = Settings();
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        var service = ServiceProcess.Start(name, settings, port);
        _services.Add(service);
        return service;
    }

    /// <summary>The RSA key every test ingress signs with, so tokens of one are checkable by another.</summary>
    public string SigningKeyPath { get; } = WriteSigningKey();

    /// <summary>
    /// An ingress with the local token endpoint on. <paramref name="authority"/> is the issuer it puts in its
    /// tokens and whose metadata it validates against (by default its own address).
    /// </summary>
    public ServiceProcess StartIngress(IReadOnlyDictionary<string, string>? extra = null, string? authority = null)
    {
        var port = ServiceProcess.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Auth__Authority"] = authority ?? $"http://127.0.0.1:{port}",
            ["Auth__LocalIssuer__Enabled"] = "true",
            ["Auth__LocalIssuer__SigningKeyPath"] = SigningKeyPath,
            ["Auth__ClockSkew"] = "00:00:01", // so an expired token fails within the test's patience
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        return StartService("Ingress", port, settings);
    }

    private static string WriteSigningKey()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var path = Path.Combine(Path.GetTempPath(), $"kci-it-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, rsa.ExportRSAPrivateKeyPem());
        return path;
    }

    private string? _token;

    /// <summary>A token from the ingress's own client-credentials endpoint, as the gateway gets one.</summary>
    public async Task<string> TokenAsync(ServiceProcess? ingress = null, string clientId = "fibre-cafe-local", string secret = "local-dev-secret")
    {
        if (ingress is null && _token is not null)
            return _token;
        using var http = new HttpClient { BaseAddress = (ingress ?? Ingress).BaseAddress };
        var response = await http.PostAsync("oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        if (ingress is null)
            _token = token;
        return token;
    }

    /// <summary>POSTs a KCI the way the gateway does, with a bearer token.</summary>
    public async Task<HttpResponseMessage> PostKciAsync(JsonNode body, string? requestId = null, string conversationId = "conversation-it")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "kcis") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Request-ID", requestId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Conversation-ID", conversationId);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync());
        return await Gateway.SendAsync(request);
    }

    /// <summary>Polls the operations API until the order's timeline satisfies <paramref name="done"/>.</summary>
    public async Task<JsonArray> WaitForTimelineAsync(string entityType, string entityId, Func<JsonArray, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonArray last = [];
        while (DateTime.UtcNow < deadline)
        {
            var response = await Operations.GetAsync($"orders/{entityType}/{entityId}/kcis");
            if (response.IsSuccessStatusCode)
            {
                last = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
                if (done(last))
                    return last;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timeline of {entityType}/{entityId} not as expected after {timeout}: {last.ToJsonString()}\n"
            + $"--- Sequencer ---\n{Sequencer.Output}\n--- Handlers ---\n{Handlers.Output}");
    }

    /// <summary>Polls the sequencer's saga row of an order until <paramref name="done"/>.</summary>
    public async Task<SagaRow> WaitForSagaAsync(Guid orderId, Func<SagaRow, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        SagaRow? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await ReadSagaAsync(orderId);
            if (last is not null && done(last))
                return last;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Saga {orderId} not as expected after {timeout}: {last}\n--- Sequencer ---\n{Sequencer.Output}");
    }

    public async Task<SagaRow?> ReadSagaAsync(Guid orderId)
    {
        await using var connection = new NpgsqlConnection(Servers.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT current_state, next_sequence, in_flight_kci_id, gap_deadline, blocked, parked FROM sequencer.order_sequences WHERE correlation_id = @id",
            connection);
        query.Parameters.AddWithValue("id", orderId);
        await using var reader = await query.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
            return null;
        return new SagaRow(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4), reader.GetBoolean(5));
    }

    public virtual async Task DisposeAsync()
    {
        Gateway?.Dispose();
        Operations?.Dispose();
        foreach (var service in _services)
            await service.DisposeAsync();
        if (Servers is not null)
            await Servers.DisposeAsync();
        File.Delete(SigningKeyPath);
    }
}

public sealed record SagaRow(string CurrentState, long NextSequence, Guid? InFlightKciId, DateTimeOffset? GapDeadline, bool Blocked, bool Parked);

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<Pipeline>
{
    public const string Name = "pipeline";
}
