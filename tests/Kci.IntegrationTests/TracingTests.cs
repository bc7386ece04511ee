using System.Net;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// A pipeline whose three services export traces over OTLP/HTTP (protobuf) to the test's own receiver, every 200 ms.
/// </summary>
public sealed class TracingPipeline : Pipeline
{
    public OtlpReceiver Receiver { get; } = new();

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Receiver.Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    public override async Task InitializeAsync()
    {
        await Receiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TracingCollection : ICollectionFixture<TracingPipeline>
{
    public const string Name = "tracing pipeline";
}

/// <summary>
/// Issue 15: with an OTLP endpoint set, one trace runs from the gateway's <c>POST /kcis</c> through RabbitMQ and the saga to
/// the handler, also for a KCI that was held and released later by another KCI's message.
/// </summary>
[Collection(TracingCollection.Name)]
public class When_a_kci_is_traced(TracingPipeline pipeline)
{
    private const string Provide = "PROVIDE_ORDER";
    private const string Ingress = "Kci.Ingress";
    private const string Sequencer = "Kci.Sequencer";
    private const string Handlers = "Kci.Handlers";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExportPatience = TimeSpan.FromSeconds(20);

    private OtlpReceiver Receiver => pipeline.Receiver;

    private static bool IsPost(ReceivedSpan span) =>
        span.ServiceName == Ingress && span.Kind == OtlpSpanKind.Server && span.Name == "POST /kcis";

    /// <summary>POSTs a KCI and returns the Ingress's server span of that request: the one POST span that appeared after it.</summary>
    private async Task<ReceivedSpan> PostAsync(JsonObject kci, string requestId)
    {
        var known = Receiver.Spans.Where(IsPost).Select(s => s.SpanId).ToHashSet();
        var response = await pipeline.PostKciAsync(kci, requestId);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var deadline = DateTime.UtcNow + ExportPatience;
        while (true)
        {
            var posts = Receiver.Spans.Where(s => IsPost(s) && !known.Contains(s.SpanId)).ToList();
            if (posts.Count == 1)
                return posts[0];
            if (posts.Count > 1 || DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"expected one new Ingress server span 'POST /kcis' for request {requestId}, got {posts.Count}:\n"
                    + $"{OtlpReceiver.Describe(posts)}\n--- every span received ({Receiver.TraceExports} exports) ---\n{Receiver.Describe()}"
                    + $"\n--- Ingress ---\n{pipeline.Ingress.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until <paramref name="service"/> has a span in the trace of <paramref name="root"/> (of <paramref name="kind"/>, when
    /// given) whose parents, followed span by span, lead to that root: one connected trace, as a trace viewer shows it.
    /// </summary>
    private async Task<ReceivedSpan> WaitForSpanInTraceAsync(ReceivedSpan root, string service, OtlpSpanKind? kind = null)
    {
        var deadline = DateTime.UtcNow + ExportPatience;
        while (true)
        {
            var trace = Receiver.Spans.Where(s => s.TraceId == root.TraceId).ToList();
            var found = trace.FirstOrDefault(s => s.ServiceName == service && (kind is null || s.Kind == kind) && LeadsTo(s, root, trace));
            if (found is not null)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException(
                    $"no span of {service}{(kind is null ? "" : $" of kind {kind}")} connected to {root} in its trace within {ExportPatience}:\n"
                    + $"--- trace {root.TraceId} ---\n{OtlpReceiver.Describe(trace)}\n"
                    + $"--- spans of {service} in other traces ---\n{OtlpReceiver.Describe(Receiver.Spans.Where(s => s.ServiceName == service && s.TraceId != root.TraceId).TakeLast(40))}\n"
                    + $"--- services seen: {string.Join(", ", Receiver.Spans.Select(s => s.ServiceName).Distinct())}; decode failures: {string.Join("; ", Receiver.Failures)}");
            await Task.Delay(100);
        }
    }

    private static bool LeadsTo(ReceivedSpan span, ReceivedSpan root, List<ReceivedSpan> trace)
    {
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var current = span;
        for (var depth = 0; depth < 100 && current is not null; depth++)
        {
            if (current.SpanId == root.SpanId)
                return true;
            current = current.IsRoot ? null : byId.GetValueOrDefault(current.ParentSpanId);
        }
        return false;
    }

    [Fact]
    public async Task Should_follow_a_kci_from_its_post_through_the_sequencer_to_its_handler_in_one_trace()
    {
        var order = Samples.NewEntityId();
        var requestId = $"trace-{Guid.NewGuid():N}";

        var post = await PostAsync(Samples.Kci("provide-order-informational.json", order, 1), requestId);
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);

        Assert.True(post.IsRoot, $"the gateway sent no trace context, so the POST starts the trace: {post}");
        var sequencer = await WaitForSpanInTraceAsync(post, Sequencer, OtlpSpanKind.Consumer);
        var handlers = await WaitForSpanInTraceAsync(post, Handlers, OtlpSpanKind.Consumer);
        var trace = Receiver.Spans.Where(s => s.TraceId == post.TraceId).ToList();
        Assert.Equal([post.SpanId], trace.Where(s => s.IsRoot).Select(s => s.SpanId));
        Assert.Equal([Handlers, Ingress, Sequencer], trace.Select(s => s.ServiceName).Distinct().Order());
        Assert.True(trace.Any(s => s.ServiceName == Sequencer && s.Name.Contains("kci-sequencer", StringComparison.Ordinal)),
            $"no span of the kci-sequencer queue in the trace:\n{OtlpReceiver.Describe(trace)}");
        Assert.True(trace.Any(s => s.ServiceName == Handlers && s.Name.Contains("kci-informational", StringComparison.Ordinal)),
            $"no span of the kci-informational queue in the trace:\n{OtlpReceiver.Describe(trace)}");
        Assert.NotEqual(sequencer.SpanId, handlers.SpanId);
        Assert.Empty(Receiver.Failures);
    }

    [Fact]
    public async Task Should_put_a_held_kci_in_the_trace_of_its_own_post_when_another_kcis_message_releases_it()
    {
        var order = Samples.NewEntityId();

        var second = await PostAsync(Samples.Kci("provide-order-informational.json", order, 2), $"trace-held-{Guid.NewGuid():N}");
        await pipeline.WaitForSagaAsync(OrderId(order), s => s.NextSequence == 1, Patience); // #2 is held: #1 is missing
        var first = await PostAsync(Samples.Kci("provide-order-informational.json", order, 1), $"trace-releasing-{Guid.NewGuid():N}");
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);

        Assert.NotEqual(first.TraceId, second.TraceId);
        await WaitForSpanInTraceAsync(first, Handlers);
        // #2 was released by #1's message (or its acknowledgement), yet its handling belongs to the trace of its own POST
        var handlers = await WaitForSpanInTraceAsync(second, Handlers);
        await WaitForSpanInTraceAsync(second, Sequencer, OtlpSpanKind.Consumer);
        var trace = Receiver.Spans.Where(s => s.TraceId == second.TraceId).ToList();
        Assert.Equal([second.SpanId], trace.Where(s => s.IsRoot).Select(s => s.SpanId));
        Assert.Contains(handlers, trace);
        Assert.Empty(Receiver.Failures);
    }

    /// <summary>The saga's key of an order, as the Sequencer derives it.</summary>
    private static Guid OrderId(long entityId) => Kci.Hosting.NameBasedGuid.ForOrder(Provide, entityId.ToString());
}
