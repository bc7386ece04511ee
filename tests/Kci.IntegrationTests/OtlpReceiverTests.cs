using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

/// <summary>
/// The test collector's hand-written OTLP decoder, against requests encoded here by a minimal protobuf writer: the tracing
/// tests rely on it reading ids, names, kinds and service names right, and on it skipping what it does not read.
/// </summary>
public class When_the_test_collector_decodes_otlp_traces
{
    private static readonly byte[] TraceA = Convert.FromHexString("0af7651916cd43dd8448eb211c80319c");
    private static readonly byte[] TraceB = Convert.FromHexString("4bf92f3577b34da6a3ce929d0e0e4736");
    private static readonly byte[] Root = Convert.FromHexString("b7ad6b7169203331");
    private static readonly byte[] Child = Convert.FromHexString("00f067aa0ba902b7");
    private static readonly byte[] Other = Convert.FromHexString("53995c3f42cd8ad8");

    private static byte[] Request() => Message(w =>
    {
        w.Message(1, ResourceSpans("Kci.Ingress", "Microsoft.AspNetCore",
            SpanOf(TraceA, Root, null, "POST /kcis", 2, ("http.route", "/kcis"), ("http.response.status_code", 204L))));
        w.Message(1, ResourceSpans("Kci.Sequencer", "MassTransit",
            SpanOf(TraceA, Child, Root, "kci-sequencer process", 5, ("messaging.redelivered", false)),
            SpanOf(TraceB, Other, null, "", 1, ("elapsed", 1.5))));
    });

    private static byte[] ResourceSpans(string serviceName, string scope, params byte[][] spans) => Message(w =>
    {
        w.Message(1, Message(r => // Resource
        {
            r.Message(1, KeyValue("telemetry.sdk.language", "dotnet"));
            r.Message(1, KeyValue("service.name", serviceName));
            r.Varint(2, 0); // dropped_attributes_count
        }));
        w.Message(2, Message(s => // ScopeSpans
        {
            s.Message(1, Message(i => { i.Text(1, scope); i.Text(2, "1.2.3"); }));
            foreach (var span in spans)
                s.Message(2, span);
            s.Text(3, "https://opentelemetry.io/schemas/1.4.0");
        }));
        w.Text(3, "https://opentelemetry.io/schemas/1.4.0");
    });

    private static byte[] SpanOf(byte[] traceId, byte[] spanId, byte[]? parentId, string name, int kind, params (string Key, object Value)[] attributes) => Message(w =>
    {
        w.Fixed64(7, 1_700_000_000_000_000_000); // start_time_unix_nano, before the fields read, to be skipped
        w.Bytes(1, traceId);
        w.Bytes(2, spanId);
        w.Text(3, "vendor=1"); // trace_state
        if (parentId is not null)
            w.Bytes(4, parentId);
        w.Text(5, name);
        w.Varint(6, (ulong)kind);
        w.Fixed64(8, 1_700_000_000_500_000_000);
        foreach (var (key, value) in attributes)
            w.Message(9, KeyValue(key, value));
        w.Fixed32(16, 0x01000000); // flags
        w.Message(15, Message(status => status.Varint(3, 1))); // status
    });

    private static byte[] KeyValue(string key, object value) => Message(w =>
    {
        w.Text(1, key);
        w.Message(2, Message(any =>
        {
            switch (value)
            {
                case string s: any.Text(1, s); break;
                case bool b: any.Varint(2, b ? 1UL : 0UL); break;
                case long l: any.Varint(3, (ulong)l); break;
                case double d: any.Fixed64(4, (ulong)BitConverter.DoubleToInt64Bits(d)); break;
            }
        }));
    });

    [Fact]
    public void Should_read_each_spans_ids_name_kind_and_service()
    {
        var spans = OtlpTraceDecoder.Decode(Request());

        Assert.Equal(3, spans.Count);
        var root = spans[0];
        Assert.Equal(("Kci.Ingress", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "", "POST /kcis", OtlpSpanKind.Server),
            (root.ServiceName, root.TraceId, root.SpanId, root.ParentSpanId, root.Name, root.Kind));
        Assert.True(root.IsRoot);
        Assert.Equal("Microsoft.AspNetCore", root.Scope);
        var child = spans[1];
        Assert.Equal(("Kci.Sequencer", "0af7651916cd43dd8448eb211c80319c", "00f067aa0ba902b7", "b7ad6b7169203331", "kci-sequencer process", OtlpSpanKind.Consumer),
            (child.ServiceName, child.TraceId, child.SpanId, child.ParentSpanId, child.Name, child.Kind));
        Assert.Equal(("Kci.Sequencer", "4bf92f3577b34da6a3ce929d0e0e4736", OtlpSpanKind.Internal), (spans[2].ServiceName, spans[2].TraceId, spans[2].Kind));
    }

    [Fact]
    public void Should_read_span_attributes_of_every_value_type()
    {
        var spans = OtlpTraceDecoder.Decode(Request());

        Assert.Equal("/kcis", spans[0].Attributes["http.route"]);
        Assert.Equal("204", spans[0].Attributes["http.response.status_code"]);
        Assert.Equal("false", spans[1].Attributes["messaging.redelivered"]);
        Assert.Equal("1.5", spans[2].Attributes["elapsed"]);
    }

    [Fact]
    public void Should_take_the_service_name_even_when_the_resource_follows_its_spans()
    {
        var request = Message(w => w.Message(1, Message(r =>
        {
            r.Message(2, Message(s => s.Message(2, SpanOf(TraceA, Root, null, "late resource", 3))));
            r.Message(1, Message(resource => resource.Message(1, KeyValue("service.name", "Kci.Handlers"))));
        })));

        var span = Assert.Single(OtlpTraceDecoder.Decode(request));

        Assert.Equal(("Kci.Handlers", "late resource", OtlpSpanKind.Client), (span.ServiceName, span.Name, span.Kind));
    }

    [Fact]
    public void Should_decode_an_empty_request_to_no_spans() => Assert.Empty(OtlpTraceDecoder.Decode([]));

    [Fact]
    public void Should_refuse_a_request_cut_short()
    {
        var request = Request();

        Assert.Throws<FormatException>(() => OtlpTraceDecoder.Decode(request.AsSpan(0, request.Length - 3)));
    }

    [Fact]
    public async Task Should_answer_an_export_with_200_and_an_empty_body_and_keep_its_spans()
    {
        await using var receiver = new OtlpReceiver();
        await receiver.StartAsync();
        using var http = new HttpClient();
        using var traces = new ByteArrayContent(Request());
        traces.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var metrics = new ByteArrayContent([0x0a, 0x00]);
        metrics.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        var response = await http.PostAsync($"{receiver.Endpoint}/v1/traces", traces);
        var metricsResponse = await http.PostAsync($"{receiver.Endpoint}/v1/metrics", metrics);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, metricsResponse.StatusCode);
        Assert.Equal(3, receiver.Spans.Count);
        Assert.Empty(receiver.Failures);
    }

    private static byte[] Message(Action<ProtoWriter> write)
    {
        var writer = new ProtoWriter();
        write(writer);
        return writer.ToArray();
    }

    /// <summary>Just enough of protobuf's encoding to build OTLP requests by hand.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _buffer = new();

        public void Varint(int field, ulong value)
        {
            Tag(field, 0);
            Raw(value);
        }

        public void Fixed64(int field, ulong value)
        {
            Tag(field, 1);
            Span<byte> bytes = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            _buffer.Write(bytes);
        }

        public void Fixed32(int field, uint value)
        {
            Tag(field, 5);
            Span<byte> bytes = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            _buffer.Write(bytes);
        }

        public void Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _buffer.Write(value);
        }

        public void Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, byte[] message) => Bytes(field, message);

        public byte[] ToArray() => _buffer.ToArray();

        private void Tag(int field, int wireType) => Raw(((ulong)field << 3) | (uint)wireType);

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _buffer.WriteByte((byte)value);
        }
    }
}
