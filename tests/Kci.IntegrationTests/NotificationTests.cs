using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>A local HTTP receiver standing in for the tenant's CRM: fails a set number of times, then succeeds.</summary>
public sealed class FlakyReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private int _failuresLeft;

    public FlakyReceiver(int failFirst)
    {
        _failuresLeft = failFirst;
        Port = ServiceProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public ConcurrentQueue<JsonObject> Received { get; } = new();

    /// <summary>The X-Kci-Delivery id of every successful post: a delivered notification is never posted again.</summary>
    public ConcurrentQueue<string> DeliveryIds { get; } = new();
    private int _failed;

    public int Failed => Volatile.Read(ref _failed);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                Interlocked.Increment(ref _failed);
                context.Response.StatusCode = 503;
            }
            else
            {
                Received.Enqueue(JsonNode.Parse(body)!.AsObject());
                DeliveryIds.Enqueue(context.Request.Headers["X-Kci-Delivery"] ?? "");
                context.Response.StatusCode = 204;
            }
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}

/// <summary>A subscriber that takes the connection and never answers: every attempt ends in the timeout.</summary>
public sealed class HangingReceiver : IDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _held = [];

    public HangingReceiver()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                System.Net.Sockets.TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                lock (_held)
                    _held.Add(client);
            }
        });
    }

    public int Port { get; }

    public void Dispose()
    {
        _listener.Stop();
        lock (_held)
            _held.ForEach(c => c.Dispose());
    }
}

/// <summary>
/// Handlers with three subscribers: a CRM that fails 3 times then recovers, an OSS that is down (connection refused), and
/// a billing system that hangs (every attempt times out).
/// </summary>
public sealed class NotificationPipeline : Pipeline
{
    public FlakyReceiver Crm { get; } = new(failFirst: 3);
    public int DownPort { get; } = ServiceProcess.FreePort();
    public HangingReceiver Billing { get; } = new();

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Notifications__Subscriptions__0__Name"] = "crm",
        ["Notifications__Subscriptions__0__Url"] = $"http://127.0.0.1:{Crm.Port}/kci-events",
        ["Notifications__Subscriptions__0__AuthorizationHeader"] = "Bearer crm-secret",
        ["Notifications__Subscriptions__0__UpdateTypes__0"] = "INFORMATIONAL",
        ["Notifications__Subscriptions__1__Name"] = "oss",
        ["Notifications__Subscriptions__1__Url"] = $"http://127.0.0.1:{DownPort}/",
        ["Notifications__Subscriptions__2__Name"] = "billing",
        ["Notifications__Subscriptions__2__Url"] = $"http://127.0.0.1:{Billing.Port}/hook",
        ["Notifications__Timeout"] = "00:00:02",
        ["Notifications__RetryDelay"] = "00:00:00.050",
        ["Notifications__RedeliveryInterval"] = "00:00:00.500",
        ["Notifications__AttemptsPerRound"] = "2",
        ["Notifications__BreakAfterFailures"] = "6",
        ["Notifications__BreakDuration"] = "00:01:00",
        ["Notifications__PollInterval"] = "00:00:00.100",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Crm.Dispose();
        Billing.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class NotificationCollection : ICollectionFixture<NotificationPipeline>
{
    public const string Name = "notification pipeline";
}

[Collection(NotificationCollection.Name)]
public class When_the_tenants_systems_subscribe(NotificationPipeline pipeline)
{
    [Fact]
    public async Task Should_deliver_after_failures_open_the_circuit_of_a_dead_subscriber_and_never_hold_up_an_order()
    {
        var entityId = Samples.NewEntityId();
        for (var n = 1; n <= 4; n++)
            Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-informational.json", entityId, n))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(Samples.Kci("provide-order-action-reappoint.json", entityId, 5))).StatusCode);

        // The order flows at once, whatever the subscribers do.
        var timeline = await pipeline.WaitForTimelineAsync("PROVIDE_ORDER", entityId.ToString(), t => t.Count == 5, TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], timeline.Numbers());

        // The CRM failed 3 times, then received every informational KCI, and only those.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (pipeline.Crm.Received.Count(r => r["entityId"]!.GetValue<string>() == entityId.ToString()) < 4 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var received = pipeline.Crm.Received.Where(r => r["entityId"]!.GetValue<string>() == entityId.ToString()).ToList();
        Assert.Equal([1L, 2L, 3L, 4L], received.Select(r => r["sequenceNumber"]!.GetValue<long>()).Order());
        Assert.All(received, r => Assert.Equal("INFORMATIONAL", r["updateType"]!.GetValue<string>()));
        Assert.Equal(3, pipeline.Crm.Failed);
        Assert.DoesNotContain(received, r => r.ToJsonString().Contains("john@smith.com", StringComparison.Ordinal));

        // The OSS is down: its deliveries are kept as failed, the circuit opened, nothing is lost.
        var oss = await NotificationsAsync("failed", "oss", TimeSpan.FromSeconds(30),
            f => f.Count >= 5 && f.Any(n => n["lastError"]!.GetValue<string>().Contains("circuit open", StringComparison.Ordinal)));
        Assert.Equal(5, oss.Count);
        Assert.Contains(oss, f => f["lastError"]!.GetValue<string>().Contains("circuit open", StringComparison.Ordinal));
        // A delivery is marked once the CRM's answer is back, a moment after the CRM has it.
        var delivered = await NotificationsAsync("delivered", "crm", TimeSpan.FromSeconds(10), d => d.Count >= 4);
        Assert.Equal(4, delivered.Count);

        // The hanging billing system held up neither the CRM nor the OSS: its deliveries fail on their own, by timeout.
        var billing = await NotificationsAsync("failed", "billing", TimeSpan.FromSeconds(60), b => b.Count >= 1);
        Assert.NotEmpty(billing);
        Assert.Contains(billing, f => f["lastError"]!.GetValue<string>().Contains("Timeout", StringComparison.OrdinalIgnoreCase)
            || f["lastError"]!.GetValue<string>().Contains("circuit open", StringComparison.Ordinal));

        // Nothing delivered is ever posted again, however the others fail around it.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(pipeline.Crm.DeliveryIds.Count, pipeline.Crm.DeliveryIds.Distinct().Count());
    }

    /// <summary>One subscription's notifications in <paramref name="state"/>, once <paramref name="enough"/> holds of them or <paramref name="patience"/> is out.</summary>
    private async Task<List<JsonNode>> NotificationsAsync(string state, string subscription, TimeSpan patience, Func<List<JsonNode>, bool> enough)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var rows = (await pipeline.Operations.GetFromJsonAsync<JsonArray>($"notifications?state={state}"))!
                .Select(n => n!).Where(n => n["subscription"]!.GetValue<string>() == subscription).ToList();
            if (enough(rows) || DateTime.UtcNow >= deadline)
                return rows;
            await Task.Delay(200);
        }
    }
}
