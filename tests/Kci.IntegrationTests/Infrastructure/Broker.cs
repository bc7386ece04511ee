using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>The test's RabbitMQ virtual host through the management API: depths, consumers, and faults no request can cause.</summary>
public sealed class Broker(TestServers servers)
{
    private string VirtualHost => Uri.EscapeDataString(servers.Rabbit.VirtualHost);

    /// <summary>Every queue of the virtual host: name, ready + unacked messages, consumers.</summary>
    public async Task<Dictionary<string, (long Messages, int Consumers)>> QueuesAsync()
    {
        using var http = servers.Management();
        var queues = await http.GetFromJsonAsync<JsonArray>($"api/queues/{VirtualHost}") ?? [];
        return queues.Select(q => q!.AsObject()).ToDictionary(
            q => q["name"]!.GetValue<string>(),
            q => (q["messages"]?.GetValue<long>() ?? 0, q["consumers"]?.GetValue<int>() ?? 0));
    }

    /// <summary>Consumers per queue of ours (kci-*, without the _error queues).</summary>
    public async Task<Dictionary<string, int>> ConsumersAsync() =>
        (await QueuesAsync()).Where(q => q.Key.StartsWith("kci-", StringComparison.Ordinal) && !q.Key.EndsWith("_error", StringComparison.Ordinal))
            .ToDictionary(q => q.Key, q => q.Value.Consumers);

    /// <summary>Messages lying in any _error queue.</summary>
    public async Task<long> ErrorQueueMessagesAsync() =>
        (await QueuesAsync()).Where(q => q.Key.EndsWith("_error", StringComparison.Ordinal)).Sum(q => q.Value.Messages);

    /// <summary>Cuts the exchange MassTransit sends <paramref name="queue"/>'s messages to off the queue: what is sent meanwhile is lost.</summary>
    public async Task UnbindAsync(string queue)
    {
        using var http = servers.Management();
        var bindings = await http.GetFromJsonAsync<JsonArray>($"api/bindings/{VirtualHost}/e/{queue}/q/{queue}") ?? [];
        foreach (var binding in bindings)
        {
            var props = Uri.EscapeDataString(binding!["properties_key"]!.GetValue<string>());
            (await http.DeleteAsync($"api/bindings/{VirtualHost}/e/{queue}/q/{queue}/{props}")).EnsureSuccessStatusCode();
        }
    }

    public async Task BindAsync(string queue)
    {
        using var http = servers.Management();
        (await http.PostAsync($"api/bindings/{VirtualHost}/e/{queue}/q/{queue}",
            new StringContent("""{"routing_key":""}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Publishes a MassTransit envelope straight to <paramref name="queue"/>, with the headers MassTransit puts on a fault
    /// (none when <paramref name="exceptionType"/> is null, as on a skipped message).
    /// </summary>
    public async Task PublishFaultedAsync(string queue, JsonObject envelope, string? exceptionType, string? exceptionMessage)
    {
        using var http = servers.Management();
        var body = new JsonObject
        {
            ["routing_key"] = queue,
            ["payload"] = envelope.ToJsonString(),
            ["payload_encoding"] = "string",
            ["properties"] = new JsonObject
            {
                ["content_type"] = "application/vnd.masstransit+json",
                ["delivery_mode"] = 2,
                ["message_id"] = envelope["messageId"]!.GetValue<string>(),
                ["headers"] = exceptionType is null
                    ? new JsonObject { ["MT-Reason"] = "skip" }
                    : new JsonObject
                    {
                        ["MT-Reason"] = "fault",
                        ["MT-Fault-ExceptionType"] = exceptionType,
                        ["MT-Fault-Message"] = exceptionMessage,
                        ["MT-Fault-Timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
                    },
            },
        };
        var response = await http.PostAsync($"api/exchanges/{VirtualHost}/amq.default/publish", JsonContent.Create(body));
        response.EnsureSuccessStatusCode();
        var routed = (await response.Content.ReadFromJsonAsync<JsonObject>())!["routed"]!.GetValue<bool>();
        if (!routed)
            throw new InvalidOperationException($"{queue} does not exist: nothing was routed");
    }

    /// <summary>Declares a durable queue as MassTransit declares its _error queues.</summary>
    public async Task DeclareAsync(string queue)
    {
        using var http = servers.Management();
        (await http.PutAsync($"api/queues/{VirtualHost}/{queue}",
            new StringContent("""{"durable":true,"auto_delete":false,"arguments":{}}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
    }
}
