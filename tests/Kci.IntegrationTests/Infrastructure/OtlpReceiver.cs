using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// The test's own OpenTelemetry collector: an OTLP/HTTP receiver on a free loopback port. <c>POST /v1/traces</c>
/// (<c>application/x-protobuf</c>) is decoded by <see cref="OtlpTraceDecoder"/> and its spans kept; metrics and logs are
/// accepted and dropped. Every export is answered 200 with an empty body, as a collector does.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private WebApplication? _app;

    public OtlpReceiver() => Port = ServiceProcess.FreePort();

    public int Port { get; }

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to: the exporters add <c>/v1/traces</c> and the like.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();

    /// <summary>Exports that could not be decoded (each with its reason); a test expects none.</summary>
    public IReadOnlyList<string> Failures => _failures.ToArray();

    private int _traceExports;
    public int TraceExports => Volatile.Read(ref _traceExports);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Endpoint);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            var body = await ReadBodyAsync(request);
            Interlocked.Increment(ref _traceExports);
            if (request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
            {
                _failures.Enqueue($"content type {request.ContentType} is not application/x-protobuf");
                return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
            }
            try
            {
                foreach (var span in OtlpTraceDecoder.Decode(body))
                    _spans.Enqueue(span);
            }
            catch (FormatException ex)
            {
                _failures.Enqueue($"{ex.Message} ({body.Length} bytes: {Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 64)))}...)");
                return Results.BadRequest();
            }
            return Empty();
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) => { await ReadBodyAsync(request); return Empty(); });
        app.MapPost("/v1/logs", async (HttpRequest request) => { await ReadBodyAsync(request); return Empty(); });
        await app.StartAsync();
        _app = app;
    }

    private static IResult Empty() => Results.Bytes([], "application/x-protobuf");

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        if (string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress);
            await gzip.CopyToAsync(buffer);
        }
        else
            await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Every span received so far, one per line, for failure messages.</summary>
    public string Describe() => Describe(Spans);

    public static string Describe(IEnumerable<ReceivedSpan> spans) =>
        string.Join('\n', spans.Select(s => s.ToString()));

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }
}

/// <summary>OTLP's span kinds (opentelemetry.proto.trace.v1.Span.SpanKind).</summary>
public enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>One span as exported: ids in lower-case hex (an empty parent for a root span), and the resource's <c>service.name</c>.</summary>
public sealed record ReceivedSpan(
    string ServiceName, string TraceId, string SpanId, string ParentSpanId, string Name, OtlpSpanKind Kind, string Scope,
    IReadOnlyDictionary<string, string> Attributes)
{
    public bool IsRoot => ParentSpanId.Length == 0;

    public override string ToString() =>
        $"{ServiceName} trace={TraceId} span={SpanId} parent={(IsRoot ? "-" : ParentSpanId)} {Kind} '{Name}' scope={Scope} "
        + "{" + string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}")) + "}";
}

/// <summary>
/// Decodes an OTLP <c>ExportTraceServiceRequest</c> from its protobuf bytes by hand, reading only what the tests look at:
/// <code>
/// ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
/// ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
/// Resource      { repeated KeyValue attributes = 1; }
/// ScopeSpans    { InstrumentationScope scope = 1; repeated Span spans = 2; }   InstrumentationScope { string name = 1; }
/// Span          { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
///                 repeated KeyValue attributes = 9; }
/// KeyValue      { string key = 1; AnyValue value = 2; }
/// AnyValue      { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... } }
/// </code>
/// Every other field, of any wire type, is skipped.
/// </summary>
public static class OtlpTraceDecoder
{
    public static IReadOnlyList<ReceivedSpan> Decode(ReadOnlySpan<byte> request)
    {
        var spans = new List<ReceivedSpan>();
        var reader = new ProtoReader(request);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoReader.WireLengthDelimited)
                DecodeResourceSpans(reader.Bytes(), spans);
            else
                reader.Skip(wireType);
        }
        return spans;
    }

    private static void DecodeResourceSpans(ReadOnlySpan<byte> bytes, List<ReceivedSpan> spans)
    {
        var serviceName = "";
        var scopes = new List<byte[]>(); // the resource may come after its spans on the wire
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoReader.WireLengthDelimited)
            {
                var resource = new ProtoReader(reader.Bytes());
                while (resource.Next(out var f, out var w))
                {
                    if (f == 1 && w == ProtoReader.WireLengthDelimited)
                    {
                        var (key, value) = DecodeKeyValue(resource.Bytes());
                        if (key == "service.name")
                            serviceName = value;
                    }
                    else
                        resource.Skip(w);
                }
            }
            else if (field == 2 && wireType == ProtoReader.WireLengthDelimited)
                scopes.Add(reader.Bytes().ToArray());
            else
                reader.Skip(wireType);
        }
        foreach (var scope in scopes)
            DecodeScopeSpans(scope, serviceName, spans);
    }

    private static void DecodeScopeSpans(ReadOnlySpan<byte> bytes, string serviceName, List<ReceivedSpan> spans)
    {
        var scopeName = "";
        var encoded = new List<byte[]>();
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoReader.WireLengthDelimited)
            {
                var scope = new ProtoReader(reader.Bytes());
                while (scope.Next(out var f, out var w))
                {
                    if (f == 1 && w == ProtoReader.WireLengthDelimited)
                        scopeName = scope.Text();
                    else
                        scope.Skip(w);
                }
            }
            else if (field == 2 && wireType == ProtoReader.WireLengthDelimited)
                encoded.Add(reader.Bytes().ToArray());
            else
                reader.Skip(wireType);
        }
        foreach (var span in encoded)
            spans.Add(DecodeSpan(span, serviceName, scopeName));
    }

    private static ReceivedSpan DecodeSpan(ReadOnlySpan<byte> bytes, string serviceName, string scopeName)
    {
        string traceId = "", spanId = "", parentSpanId = "", name = "";
        var kind = OtlpSpanKind.Unspecified;
        var attributes = new Dictionary<string, string>();
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, ProtoReader.WireLengthDelimited): traceId = Convert.ToHexStringLower(reader.Bytes()); break;
                case (2, ProtoReader.WireLengthDelimited): spanId = Convert.ToHexStringLower(reader.Bytes()); break;
                case (4, ProtoReader.WireLengthDelimited): parentSpanId = Convert.ToHexStringLower(reader.Bytes()); break;
                case (5, ProtoReader.WireLengthDelimited): name = reader.Text(); break;
                case (6, ProtoReader.WireVarint): kind = (OtlpSpanKind)reader.Varint(); break;
                case (9, ProtoReader.WireLengthDelimited):
                    var (key, value) = DecodeKeyValue(reader.Bytes());
                    attributes[key] = value;
                    break;
                default: reader.Skip(wireType); break;
            }
        }
        if (traceId.Length != 32 || spanId.Length != 16 || (parentSpanId.Length != 0 && parentSpanId.Length != 16))
            throw new FormatException($"span '{name}' has trace id '{traceId}', span id '{spanId}', parent '{parentSpanId}'");
        return new ReceivedSpan(serviceName, traceId, spanId, parentSpanId, name, kind, scopeName, attributes);
    }

    /// <summary>A KeyValue, its value as text (a string as it is; bool, int and double in invariant form; anything else empty).</summary>
    private static (string Key, string Value) DecodeKeyValue(ReadOnlySpan<byte> bytes)
    {
        string key = "", value = "";
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoReader.WireLengthDelimited)
                key = reader.Text();
            else if (field == 2 && wireType == ProtoReader.WireLengthDelimited)
            {
                var any = new ProtoReader(reader.Bytes());
                while (any.Next(out var f, out var w))
                {
                    value = (f, w) switch
                    {
                        (1, ProtoReader.WireLengthDelimited) => any.Text(),
                        (2, ProtoReader.WireVarint) => any.Varint() != 0 ? "true" : "false",
                        (3, ProtoReader.WireVarint) => ((long)any.Varint()).ToString(CultureInfo.InvariantCulture),
                        (4, ProtoReader.WireFixed64) => BitConverter.Int64BitsToDouble((long)any.Fixed64()).ToString(CultureInfo.InvariantCulture),
                        _ => SkipTo(ref any, w, value),
                    };
                }
            }
            else
                reader.Skip(wireType);
        }
        return (key, value);
    }

    private static string SkipTo(ref ProtoReader reader, int wireType, string value)
    {
        reader.Skip(wireType);
        return value;
    }
}

/// <summary>The protobuf wire format, read forward: tags, varints, fixed 32/64-bit values and length-delimited fields.</summary>
public ref struct ProtoReader(ReadOnlySpan<byte> bytes)
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireFixed32 = 5;

    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    /// <summary>Reads the next field's tag; false at the end.</summary>
    public bool Next(out int field, out int wireType)
    {
        if (_position >= _bytes.Length)
        {
            field = wireType = 0;
            return false;
        }
        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field == 0)
            throw new FormatException($"field number 0 at byte {_position}");
        return true;
    }

    /// <summary>The value of a varint field (wire type 0).</summary>
    public ulong Varint() => ReadVarint();

    /// <summary>The value of a 64-bit field (wire type 1), little-endian.</summary>
    public ulong Fixed64()
    {
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return value;
    }

    /// <summary>The content of a length-delimited field (wire type 2).</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_bytes.Length - _position))
            throw new FormatException($"a length of {length} at byte {_position} runs past the end ({_bytes.Length})");
        return Take((int)length);
    }

    public string Text() => Encoding.UTF8.GetString(Bytes());

    /// <summary>Skips the value of a field of <paramref name="wireType"/>.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case WireVarint: ReadVarint(); break;
            case WireFixed64: Take(8); break;
            case WireLengthDelimited: Bytes(); break;
            case WireFixed32: Take(4); break;
            default: throw new FormatException($"wire type {wireType} (groups are not used by OTLP) at byte {_position}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _bytes.Length - _position)
            throw new FormatException($"{count} bytes wanted at byte {_position}, {_bytes.Length - _position} left");
        var slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _bytes.Length)
                throw new FormatException("a varint runs past the end");
            var b = _bytes[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new FormatException($"a varint longer than 10 bytes at byte {_position}");
    }
}
