using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway's Tenant API as far as gap recovery reads it: client credentials at <c>oauth2/token</c>, and the order reads
/// (<c>GET /service-orders/{id}</c>, <c>/ethernet/service-orders/{id}</c>, <c>/service-problems/{id}</c>) with bearer tokens
/// and the gateway's request headers. It is the other side of an HTTP contract (the broker and the database stay real);
/// each order can be made to answer 503, hang, or the whole API can go down (connection refused).
/// </summary>
public sealed class TenantApi : IAsyncDisposable
{
    public const string ClientId = "kci-it-tenant";
    public const string ClientSecret = "kci-it-tenant-secret";

    public enum Behaviour { Answer, Unavailable, Hang }

    private readonly ConcurrentDictionary<string, JsonObject> _orders = new();
    private readonly ConcurrentDictionary<string, Behaviour> _behaviours = new();
    private readonly ConcurrentDictionary<string, int> _reads = new();
    private readonly ConcurrentDictionary<string, byte> _tokens = new();
    private WebApplication? _app;

    public TenantApi() => Port = ServiceProcess.FreePort();

    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    private int _withoutHeaders;

    /// <summary>Reads without the gateway's request headers, which the real API refuses (400).</summary>
    public int WithoutHeaders => Volatile.Read(ref _withoutHeaders);

    /// <summary>The order <paramref name="entityId"/> under <paramref name="read"/> (e.g. <c>service-orders</c>), and its updates.</summary>
    public void Serve(string read, long entityId, JsonObject order, Behaviour behaviour = Behaviour.Answer)
    {
        _orders[$"{read}/{entityId}"] = order;
        _behaviours[$"{read}/{entityId}"] = behaviour;
    }

    /// <summary>Tokens issued so far.</summary>
    public int TokensIssued => Volatile.Read(ref _issued);

    private int _issued;

    /// <summary>Every token issued so far stops working (a key rotation at the gateway, say): reads with them get 401.</summary>
    public void RevokeTokens() => _tokens.Clear();

    public void Behave(string read, long entityId, Behaviour behaviour) => _behaviours[$"{read}/{entityId}"] = behaviour;

    /// <summary>Reads of one order so far, whatever they were answered.</summary>
    public int ReadsOf(string read, long entityId) => _reads.GetValueOrDefault($"{read}/{entityId}");

    /// <summary>
    /// An order read as the gateway answers it, made of KCI bodies: the entity of the last one, with every KCI's own fields as
    /// <c>updates[]</c> (without <c>entityType</c> and <c>entity</c>, with <c>deliveryStatus</c>).
    /// </summary>
    public static JsonObject OrderOf(params JsonObject[] kcis)
    {
        var order = kcis[^1]["entity"]!.DeepClone().AsObject();
        var updates = new JsonArray();
        foreach (var kci in kcis)
        {
            var update = kci.DeepClone().AsObject();
            update.Remove("entityType");
            update.Remove("entity");
            update["deliveryStatus"] = "PENDING";
            updates.Add(update);
        }
        order["updates"] = updates;
        return order;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(BaseAddress.ToString());
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/oauth2/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials")
                return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
            if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            var token = Guid.NewGuid().ToString("N");
            _tokens[token] = 0;
            Interlocked.Increment(ref _issued);
            return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = 3600 });
        });
        foreach (var read in (string[])["service-orders", "ethernet/service-orders", "service-problems"])
            app.MapGet($"/{read}/{{id}}", (string id, HttpContext http) => ReadAsync($"{read}/{id}", http));
        await app.StartAsync();
        _app = app;
    }

    private async Task<IResult> ReadAsync(string key, HttpContext http)
    {
        _reads.AddOrUpdate(key, 1, (_, n) => n + 1);
        var authorization = http.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(authorization["Bearer ".Length..]))
            return Results.Json(Error("NOT_AUTHORISED"), statusCode: 401); // a token of another gateway, or none: take a new one
        if (string.IsNullOrEmpty(http.Request.Headers["X-Request-ID"]) || string.IsNullOrEmpty(http.Request.Headers["X-Conversation-ID"]))
        {
            Interlocked.Increment(ref _withoutHeaders);
            return Results.Json(Error("INVALID_REQUEST"), statusCode: 400);
        }
        switch (_behaviours.GetValueOrDefault(key))
        {
            case Behaviour.Unavailable:
                http.Response.Headers.RetryAfter = "0";
                return Results.Json(Error("GATEWAY_FAULT"), statusCode: 503);
            case Behaviour.Hang:
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
                return Results.Empty;
        }
        return _orders.TryGetValue(key, out var order) ? Results.Json(order) : Results.Json(Error("NOT_FOUND"), statusCode: 404);
    }

    private static object Error(string code) => new { uuid = Guid.NewGuid(), code, messages = new[] { code } };

    /// <summary>Stops listening (connections are refused) until the returned handle is disposed.</summary>
    public async Task<IAsyncDisposable> GoDownAsync()
    {
        await StopAsync();
        return new Restart(this);
    }

    private sealed class Restart(TenantApi api) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await api.StartAsync();
    }

    private async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
