using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// Issue 15: a real Prometheus (Debian's) scrapes GET /metrics of Ingress, Sequencer and Handlers every second, with the
/// alert rules of ops/prometheus loaded, and sees what an on-call engineer needs: KCIs counted from received to handled,
/// orders waiting by reason, endpoints consuming, and no series labelled with an order.
/// </summary>
[Collection(PipelineCollection.Name)]
public class When_prometheus_scrapes_the_pipeline(Pipeline pipeline) : IAsyncLifetime
{
    private const string Provide = "PROVIDE_ORDER";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] Reasons = ["gap", "blocked", "parked", "dead-letter", "acknowledgement"];

    private PrometheusServer? _prometheus;
    private PrometheusServer Prometheus => _prometheus!;

    public async Task InitializeAsync() => _prometheus = await PrometheusServer.StartAsync(pipeline);

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
            await _prometheus.DisposeAsync();
    }

    /// <summary>A KCI of the sample, delivered by the gateway just now (so its end-to-end latency is a real one).</summary>
    private static JsonObject Kci(long order, long number, Guid? id = null)
    {
        var body = Samples.Kci("provide-order-informational.json", order, number, id);
        body["deliveredOn"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return body;
    }

    private async Task PostAsync(JsonObject kci, string? requestId = null, string conversationId = "conversation-it")
    {
        var response = await pipeline.PostKciAsync(kci, requestId, conversationId);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private Task<IReadOnlyList<PrometheusServer.Sample>> WaitForTargetsUpAsync() =>
        Prometheus.WaitForAsync("up{job=~\"kci-.*\"}", up => up.Count == 3 && up.All(s => s.Value == 1), Patience);

    [Fact]
    public async Task Should_scrape_all_three_services()
    {
        var up = await WaitForTargetsUpAsync();

        Assert.Equal(["kci-handlers", "kci-ingress", "kci-sequencer"], up.Select(s => s.Label("job")).Order());
        // Each target's health is its last scrape's, which "up" above already showed; a later scrape may be slow on a busy machine.
        var targets = await Prometheus.TargetsAsync();
        Assert.Equal(
            [pipeline.Handlers.Port, pipeline.Ingress.Port, pipeline.Sequencer.Port],
            targets.OrderBy(t => t.Job, StringComparer.Ordinal).Select(t => new Uri(t.ScrapeUrl).Port));
        Assert.All(targets, t => Assert.Equal("/metrics", new Uri(t.ScrapeUrl).AbsolutePath));
    }

    [Fact]
    public async Task Should_count_an_orders_kcis_from_received_to_handled_and_time_them()
    {
        await WaitForTargetsUpAsync();
        var series = new Dictionary<string, string>
        {
            ["received"] = $"sum(kci_received_total{{entity_type=\"{Provide}\"}})",
            ["released"] = $"sum(kci_released_total{{entity_type=\"{Provide}\"}})",
            ["handled"] = $"sum(kci_handled_total{{entity_type=\"{Provide}\"}})",
            ["hold duration"] = "sum(kci_hold_duration_seconds_count)",
            ["end-to-end duration"] = "sum(kci_end_to_end_duration_seconds_count)",
        };
        var before = new Dictionary<string, double>();
        foreach (var (name, query) in series)
            before[name] = await Prometheus.ScalarAsync(query);

        var order = Samples.NewEntityId();
        for (var number = 1; number <= 3; number++)
            await PostAsync(Kci(order, number));
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);

        foreach (var (name, query) in series)
        {
            // one count, and one observation, per KCI
            await Prometheus.WaitForAsync(query, r => r.Count == 1 && r[0].Value >= before[name] + 3, TimeSpan.FromSeconds(20));
        }
        var received = await Prometheus.QueryAsync($"kci_received_total{{entity_type=\"{Provide}\"}}");
        Assert.Contains(received, s => s.Label("supplier") == "SUPPLIER1" && s.Label("job") == "kci-ingress");
        var handled = await Prometheus.QueryAsync($"kci_handled_total{{entity_type=\"{Provide}\"}}");
        Assert.Contains(handled, s => s.Label("supplier") == "SUPPLIER1" && s.Label("kind").Length > 0 && s.Label("job") == "kci-handlers");
        var released = await Prometheus.QueryAsync($"kci_released_total{{entity_type=\"{Provide}\"}}");
        Assert.All(released, s => Assert.Equal("kci-sequencer", s.Label("job")));
        var buckets = await Prometheus.QueryAsync("kci_end_to_end_duration_seconds_bucket");
        Assert.Contains(buckets, s => s.Label("le") == "+Inf");
    }

    [Fact]
    public async Task Should_show_an_order_waiting_on_a_gap_and_how_long_it_has_waited()
    {
        await WaitForTargetsUpAsync();
        var order = Samples.NewEntityId();
        await PostAsync(Kci(order, 1));
        await PostAsync(Kci(order, 3)); // #2 is missing: the shared pipeline waits the default 2 minutes for it
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);

        await Prometheus.WaitForAsync("kci_orders_waiting{reason=\"gap\", job=\"kci-sequencer\"}", r => r.Any(s => s.Value >= 1), Patience);
        await Prometheus.WaitForAsync("kci_orders_oldest_wait_seconds{reason=\"gap\", job=\"kci-sequencer\"}", r => r.Any(s => s.Value > 0), Patience);
        var waiting = await Prometheus.QueryAsync("kci_orders_waiting");
        Assert.All(waiting, s => Assert.Contains(s.Label("reason"), Reasons));

        await PostAsync(Kci(order, 2)); // the gap closes: nothing of this test stays waiting
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 3, Patience);
    }

    [Fact]
    public async Task Should_report_every_receive_endpoint_of_sequencer_and_handlers_consuming()
    {
        await WaitForTargetsUpAsync();
        (string Job, string Queue)[] expected =
        [
            ("kci-sequencer", "kci-sequencer"), ("kci-sequencer", "kci-sequencer-control"),
            ("kci-handlers", "kci-informational"), ("kci-handlers", "kci-action-required"), ("kci-handlers", "kci-error"),
            ("kci-handlers", "kci-unrecognised"), ("kci-handlers", "kci-gaps"),
        ];

        IReadOnlyList<PrometheusServer.Sample> consuming;
        try
        {
            consuming = await Prometheus.WaitForAsync("kci_endpoint_consuming",
                r => expected.All(e => r.Any(s => s.Label("job") == e.Job && s.Label("queue") == e.Queue && s.Value == 1)), Patience);
        }
        catch (TimeoutException ex)
        {
            var served = new List<string>();
            foreach (var service in (ServiceProcess[])[pipeline.Sequencer, pipeline.Handlers])
                served.Add($"--- GET /metrics of {service.Name}, kci_endpoint_consuming ---\n"
                    + string.Join('\n', SampleLines(await ScrapeAsync(service), "kci_endpoint_consuming")));
            throw new TimeoutException($"{ex.Message}\n{string.Join('\n', served)}", ex);
        }

        Assert.All(consuming.Where(s => s.Label("job") is "kci-sequencer" or "kci-handlers"),
            s => Assert.True(s.Value == 1, $"{s} is not consuming"));
    }

    [Fact]
    public async Task Should_label_no_series_with_an_order_a_kci_or_a_request()
    {
        await WaitForTargetsUpAsync();
        var before = await Prometheus.ScalarAsync("sum(kci_handled_total)");
        var order = Samples.NewEntityId();
        var kciIds = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var requestIds = new[] { $"metrics-{Guid.NewGuid():N}", $"metrics-{Guid.NewGuid():N}", $"metrics-{Guid.NewGuid():N}" };
        var conversationId = $"metrics-conversation-{Guid.NewGuid():N}";
        await PostAsync(Kci(order, 2, kciIds[1]), requestIds[1], conversationId); // held first, then released: every path of a KCI
        await PostAsync(Kci(order, 1, kciIds[0]), requestIds[0], conversationId);
        await PostAsync(Kci(order, 4, kciIds[2]), requestIds[2], conversationId); // stays waiting on #3 while Prometheus scrapes
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        await Prometheus.WaitForAsync("sum(kci_handled_total)", r => r.Count == 1 && r[0].Value >= before + 2, TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(11)); // a refresh of the gauges (every 10 s), and its scrape

        var all = await Prometheus.QueryAsync("{job=~\"kci-.*\"}");

        Assert.True(all.Count > 50, $"only {all.Count} series: {PrometheusServer.Describe(all)}");
        string[] forbidden = [order.ToString(CultureInfo.InvariantCulture), conversationId, .. requestIds, .. kciIds.Select(id => id.ToString())];
        var offending = all.Where(s => s.Labels.Values.Any(v => forbidden.Any(f => v.Contains(f, StringComparison.OrdinalIgnoreCase)))).ToList();
        Assert.True(offending.Count == 0, $"series labelled with an order, KCI or request: {PrometheusServer.Describe(offending)}");

        await PostAsync(Kci(order, 3)); // nothing of this test stays waiting
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 4, Patience);
    }

    [Fact]
    public async Task Should_load_the_kci_alert_rules()
    {
        var rules = await Prometheus.AlertRulesAsync();

        Assert.Equal(PrometheusServer.AlertNames.Order(), rules.Where(r => r.Group == "kci").Select(r => r.Alert).Order());
    }

    [Fact]
    public async Task Should_serve_prometheus_text_with_its_own_masstransits_and_the_http_servers_series()
    {
        var order = Samples.NewEntityId();
        await PostAsync(Kci(order, 1));
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);

        (ServiceProcess Service, string[] Series)[] services =
        [
            (pipeline.Ingress, ["kci_received_total", "messaging_masstransit_", "http_server_request_duration_seconds_bucket"]),
            (pipeline.Sequencer, ["kci_released_total", "kci_hold_duration_seconds_bucket", "kci_orders_waiting", "kci_outbox_backlog",
                "kci_endpoint_consuming", "messaging_masstransit_", "db_client_", "http_server_request_duration_seconds_bucket"]),
            (pipeline.Handlers, ["kci_handled_total", "kci_end_to_end_duration_seconds_bucket", "kci_dead_letters", "kci_outbox_backlog",
                "kci_endpoint_consuming", "messaging_masstransit_", "db_client_", "http_server_request_duration_seconds_bucket"]),
        ];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (service, series) in services)
        {
            string body = "";
            // counters appear in the exporter's text from the first measurement on; give the gauges a refresh (10 s)
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            HttpResponseMessage response;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service.BaseAddress, "metrics"));
                request.Headers.Accept.ParseAdd("text/plain");
                response = await http.SendAsync(request);
                body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && series.All(s => SampleLines(body, s).Any()))
                    break;
                await Task.Delay(500);
            }
            while (DateTime.UtcNow < deadline);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /metrics of {service.Name} answered {(int)response.StatusCode}: {body}");
            var contentType = response.Content.Headers.ContentType;
            Assert.Equal("text/plain", contentType?.MediaType);
            Assert.Contains(contentType!.Parameters, p => p.Name == "version" && p.Value?.StartsWith("0.0.4", StringComparison.Ordinal) == true);
            Assert.Contains("# TYPE ", body, StringComparison.Ordinal);
            var missing = series.Where(s => !SampleLines(body, s).Any()).ToList();
            Assert.True(missing.Count == 0, $"GET /metrics of {service.Name} has no sample of {string.Join(", ", missing)}:\n{body}");
        }
    }

    /// <summary>The sample lines (not <c># HELP</c> or <c># TYPE</c>) of the series whose names start with <paramref name="prefix"/>.</summary>
    private static IEnumerable<string> SampleLines(string exposition, string prefix) =>
        exposition.Split('\n').Where(l => !l.StartsWith('#') && l.StartsWith(prefix, StringComparison.Ordinal));

    private static async Task<string> ScrapeAsync(ServiceProcess service)
    {
        var response = await service.GetAsync("metrics");
        return await response.Content.ReadAsStringAsync();
    }
}
