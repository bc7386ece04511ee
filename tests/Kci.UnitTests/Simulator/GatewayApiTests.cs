using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.GatewayApi;
using Kci.GatewaySimulator.Journeys;
using Kci.GatewaySimulator.Sending;

namespace Kci.UnitTests.Simulator;

public class When_the_simulator_reads_its_gateway_options
{
    [Fact]
    public void Should_serve_the_order_reads_on_port_5070_with_the_tenant_client_by_default()
    {
        var options = SimulatorOptions.Parse([], out _)!;

        Assert.Equal((new Uri("http://localhost:5070/"), 0d, "kci-tenant", "kci-tenant-secret"),
            (options.GatewayListen, options.GatewayFaultRate, options.GatewayClientId, options.GatewayClientSecret));
    }

    [Fact]
    public void Should_read_every_gateway_option()
    {
        var options = SimulatorOptions.Parse(["--gateway-listen", "http://127.0.0.1:6001", "--gateway-faults", "1",
            "--gateway-client-id", "isp", "--gateway-client-secret", "s3cret"], out var error)!;

        Assert.Null(error);
        Assert.Equal((new Uri("http://127.0.0.1:6001/"), 1d, "isp", "s3cret"),
            (options.GatewayListen, options.GatewayFaultRate, options.GatewayClientId, options.GatewayClientSecret));
    }

    [Fact]
    public void Should_turn_the_order_reads_off_with_none()
    {
        Assert.Null(SimulatorOptions.Parse(["--gateway-listen", "none"], out _)!.GatewayListen);
    }

    [Theory]
    [InlineData("--gateway-faults", "1.5")]
    [InlineData("--gateway-faults", "-0.1")]
    [InlineData("--gateway-listen", "https://localhost:5070")]
    [InlineData("--gateway-listen", "http://localhost:5070/gateway")]
    [InlineData("--gateway-listen", "localhost")]
    [InlineData("--gateway-client-id", "")]
    [InlineData("--gateway-client-secret")]
    public void Should_refuse_a_bad_gateway_option_with_a_reason(params string[] args)
    {
        Assert.Null(SimulatorOptions.Parse(args, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}

public class When_entity_types_are_mapped_to_the_gateways_order_reads
{
    [Theory]
    [InlineData("PROVIDE_ORDER", "service-orders")]
    [InlineData("MODIFY_ORDER", "service-orders")]
    [InlineData("CEASE_ORDER", "service-orders")]
    [InlineData("UNSOLICITED_CEASE_ORDER", "service-orders")]
    [InlineData("SERVICE_TEST", "service-orders")]
    [InlineData("PROVIDE_ETHERNET_ORDER", "ethernet/service-orders")]
    [InlineData("SERVICE_PROBLEM", "service-problems")]
    [InlineData("SOMETHING_NEW", null)]
    public void Should_pick_the_read_the_gateway_offers(string entityType, string? read)
    {
        Assert.Equal(read, OrderReads.For(entityType));
    }
}

/// <summary>The simulated gateway's Tenant API over a real Kestrel listener on a free port.</summary>
public sealed class When_kci_reads_orders_from_the_simulated_gateway : IAsyncLifetime
{
    private const string ClientId = "kci-tenant";
    private const string ClientSecret = "kci-tenant-secret";
    private static readonly SimulatorOptions Options = new() { Orders = 40, Seed = 11, GapRate = 0.4, KcisPerOrder = 6 };

    private readonly JourneyGenerator _generator = new(Options);
    private readonly PlannedOrder _order;
    private readonly PlannedOrder _problem;
    private GatewayOrders _orders = null!;
    private TenantApiHost _host = null!;
    private HttpClient _http = null!;

    public When_kci_reads_orders_from_the_simulated_gateway()
    {
        // A fixed provide order with held-back numbers, and a service problem (realistic journeys) for the other read.
        _order = _generator.Orders().First(o => o.Withheld.Count > 0);
        _problem = new JourneyGenerator(Options with { KcisPerOrder = 0 }).Orders().First(o => o.EntityType == "SERVICE_PROBLEM");
    }

    public async Task InitializeAsync() => await StartAsync(faultRate: 0);

    private async Task StartAsync(double faultRate)
    {
        if (_host is not null)
            await DisposeAsync();
        _orders = new GatewayOrders(_generator, TimeProvider.System);
        _orders.Register(_order);
        foreach (var sent in _order.Kcis.Where(k => !_order.Withheld.Contains(k.SequenceNumber)))
            _orders.Delivered(_order, sent.SequenceNumber);
        var api = new TenantApi(_orders, new TenantTokens(ClientId, ClientSecret, TimeProvider.System), faultRate, seed: 1);
        _host = await TenantApiHost.StartAsync(new Uri("http://127.0.0.1:0/"), api, CancellationToken.None);
        _http = new HttpClient { BaseAddress = _host.Address };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<HttpResponseMessage> TokenAsync(string id = ClientId, string secret = ClientSecret, string grant = "client_credentials", bool basic = true)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = grant };
        if (!basic)
            (form["client_id"], form["client_secret"]) = (id, secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth2/token") { Content = new FormUrlEncodedContent(form) };
        if (basic)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
        return await _http.SendAsync(request);
    }

    private async Task<string> AccessTokenAsync()
    {
        using var response = await TokenAsync();
        return (await JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private async Task<HttpResponseMessage> ReadAsync(string path, string? token, bool headers = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (headers)
        {
            request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
            request.Headers.Add("X-Conversation-ID", "recovery-test");
        }
        return await _http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private string OrderPath => $"service-orders/{_order.EntityId}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Should_issue_a_bearer_token_for_the_tenants_client_credentials(bool basic)
    {
        using var response = await TokenAsync(basic: basic);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("access_token").GetString()), "an opaque access token");
        Assert.Equal(("Bearer", 3600), (body.GetProperty("token_type").GetString(), body.GetProperty("expires_in").GetInt32()));
    }

    [Fact]
    public async Task Should_refuse_wrong_client_credentials_with_invalid_client()
    {
        using var response = await TokenAsync(secret: "guess");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Should_refuse_another_grant_with_unsupported_grant_type()
    {
        using var response = await TokenAsync(grant: "password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_grant_type", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token-it-issued")]
    public async Task Should_answer_401_not_authorised_without_a_valid_token(string? token)
    {
        using var response = await ReadAsync(OrderPath, token);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("NOT_AUTHORISED", body.GetProperty("code").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("uuid").GetString(), out _), "the gateway's error body carries a uuid");
        Assert.NotEmpty(body.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Should_answer_400_invalid_request_without_the_request_and_conversation_ids()
    {
        using var response = await ReadAsync(OrderPath, await AccessTokenAsync(), headers: false);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_REQUEST", body.GetProperty("code").GetString());
        Assert.Equal(2, body.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Should_answer_404_for_an_order_it_does_not_know_or_one_asked_of_the_wrong_read()
    {
        var token = await AccessTokenAsync();
        var unsent = _generator.Orders().First(o => o.EntityId != _order.EntityId);

        using var unknown = await ReadAsync($"service-orders/{unsent.EntityId}", token);
        using var wrongRead = await ReadAsync($"service-problems/{_order.EntityId}", token);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (unknown.StatusCode, wrongRead.StatusCode));
        Assert.Equal("NOT_FOUND", (await JsonAsync(unknown)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Should_answer_the_latest_order_with_every_update_the_held_back_ones_pending()
    {
        using var response = await ReadAsync(OrderPath, await AccessTokenAsync());
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var latest = JsonDocument.Parse(_order.Kcis[^1].Body).RootElement.GetProperty("entity");
        var order = JsonSerializer.SerializeToNode(body)!.AsObject();
        order.Remove("updates");
        Assert.True(JsonElement.DeepEquals(latest, JsonSerializer.SerializeToElement(order)), "the order is the entity of its latest KCI, plus updates");

        var updates = body.GetProperty("updates").EnumerateArray().ToList();
        Assert.Equal(_order.Kcis.Select(k => k.SequenceNumber), updates.Select(u => u.GetProperty("sequenceNumber").GetInt64()));
        foreach (var (update, kci) in updates.Zip(_order.Kcis))
        {
            Assert.False(update.TryGetProperty("entity", out _) || update.TryGetProperty("entityType", out _), "an update carries neither entity nor entityType");
            Assert.Equal(kci.Id, update.GetProperty("id").GetGuid());
            Assert.Equal(_order.Withheld.Contains(kci.SequenceNumber) ? "PENDING" : "DELIVERED", update.GetProperty("deliveryStatus").GetString());

            var rebuilt = JsonSerializer.SerializeToNode(update)!.AsObject();
            rebuilt.Remove("deliveryStatus");
            var original = JsonSerializer.Deserialize<System.Text.Json.Nodes.JsonObject>(kci.Body)!;
            original.Remove("entityType");
            original.Remove("entity");
            Assert.True(JsonElement.DeepEquals(JsonSerializer.SerializeToElement(original), JsonSerializer.SerializeToElement(rebuilt)),
                $"update #{kci.SequenceNumber} is the KCI's own body");
        }
    }

    [Fact]
    public async Task Should_count_the_reads_and_remember_when_each_number_was_served()
    {
        var before = DateTimeOffset.UtcNow;
        using var response = await ReadAsync(OrderPath, await AccessTokenAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _orders.Reads(_order.EntityType, _order.EntityId));
        Assert.Equal(1, _orders.OrdersRead);
        var served = _orders.Served(_order.EntityType, _order.EntityId);
        Assert.All(_order.Withheld, n => Assert.InRange(served[n], before, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Should_serve_a_service_problem_only_from_the_service_problem_read()
    {
        _orders.Register(_problem);
        var token = await AccessTokenAsync();

        using var problem = await ReadAsync($"service-problems/{_problem.EntityId}", token);
        using var asOrder = await ReadAsync($"service-orders/{_problem.EntityId}", token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound), (problem.StatusCode, asOrder.StatusCode));
    }

    [Fact]
    public async Task Should_answer_503_with_retry_after_when_every_read_faults()
    {
        await StartAsync(faultRate: 1.0);

        using var response = await ReadAsync(OrderPath, await AccessTokenAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("GATEWAY_FAULT", (await JsonAsync(response)).GetProperty("code").GetString());
        Assert.Equal(0, _orders.Reads(_order.EntityType, _order.EntityId));
    }
}

public class When_the_simulator_summarises_gaps
{
    private static RunSummary Summary(VerifySummary? verify, TenantApiSummary? gateway) =>
        new(new SimulatorOptions(), 10, 50, 0, 4, 46, 46, 0, 0, new Dictionary<string, int>(), 1.0, Percentiles.Of([1d]), 1, verify, gateway);

    private static readonly VerifySummary Verified = new(10, 46, [], Percentiles.Of([1d]), 1.0, 46.0, GapsRecovered: 3, GapsSkipped: 1);
    private static readonly TenantApiSummary Reads = new("http://localhost:5070/", Ok: 5, NotFound: 1, Faults: 2, Unauthorised: 0, Invalid: 0, OrdersRead: 3, TokensIssued: 1);

    [Fact]
    public void Should_write_the_recovered_and_skipped_counts_when_verified()
    {
        var summary = Summary(Verified, Reads);
        var json = JsonDocument.Parse(summary.ToJson()).RootElement;

        Assert.Equal((3, 1), (json.GetProperty("gapsRecovered").GetInt32(), json.GetProperty("gapsSkipped").GetInt32()));
        Assert.Equal(5, json.GetProperty("gateway").GetProperty("ok").GetInt32());
        Assert.Contains("4 held back, 3 recovered, 1 skipped", summary.ToText(), StringComparison.Ordinal);
        Assert.Contains("200: 5   404: 1   503: 2", summary.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_write_null_counts_and_say_not_verified_without_verify()
    {
        var summary = Summary(null, null);
        var json = JsonDocument.Parse(summary.ToJson()).RootElement;

        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (json.GetProperty("gapsRecovered").ValueKind, json.GetProperty("gapsSkipped").ValueKind));
        Assert.Contains("not verified", summary.ToText(), StringComparison.Ordinal);
    }
}
