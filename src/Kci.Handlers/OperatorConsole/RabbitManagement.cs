using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kci.Hosting.Messaging;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.OperatorConsole;

public sealed record QueueDepth(string Name, long Ready, long Unacknowledged, int Consumers);

/// <summary>The virtual host's queues, or why they could not be read (the console shows that instead of failing).</summary>
public sealed record QueueReport(IReadOnlyList<QueueDepth> Queues, string? Unavailable, string ManagementUrl);

/// <summary>
/// Queue depths and consumers from RabbitMQ's management API (<c>GET /api/queues/{vhost}</c>), with the bus's own credentials.
/// <c>Console:RabbitManagementUrl</c> (default: the broker's host on port 15672). A short timeout: the overview never waits
/// long on the broker.
/// </summary>
public sealed class RabbitManagement(HttpClient http, IOptions<RabbitMqOptions> rabbit, IOptions<ConsoleOptions> console)
{
    public string BaseUrl => console.Value.RabbitManagementUrl ?? $"http://{rabbit.Value.Host}:15672";

    public async Task<QueueReport> QueuesAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"{BaseUrl.TrimEnd('/')}/api/queues/{Uri.EscapeDataString(rabbit.Value.VirtualHost)}?columns=name,messages_ready,messages_unacknowledged,consumers");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rabbit.Value.Username}:{rabbit.Value.Password}")));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await http.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return new QueueReport([], $"the management API answered {(int)response.StatusCode}", BaseUrl);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
            var queues = json.RootElement.EnumerateArray().Select(q => new QueueDepth(
                q.GetProperty("name").GetString() ?? "",
                Number(q, "messages_ready"), Number(q, "messages_unacknowledged"), (int)Number(q, "consumers"))).OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
            return new QueueReport(queues, null, BaseUrl);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException)
        {
            return new QueueReport([], $"the management API did not answer ({e.GetType().Name})", BaseUrl);
        }
    }

    private static long Number(JsonElement queue, string name) =>
        queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}

/// <summary>The console's settings (section <c>Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>RabbitMQ's management API; null: the bus's host on port 15672.</summary>
    public string? RabbitManagementUrl { get; set; }

    /// <summary>The most orders a bulk action takes at once (its preview lists them all).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 5000)] public int BulkLimit { get; set; } = 500;
}
