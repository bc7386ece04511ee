using System.Buffers.Text;
using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace Kci.Benchmarks;

/// <summary>
/// One message of the raw skeleton pipeline. The gateway's JSON body travels untouched; the KCI's identity, its
/// order, its sequence number and the moment the load sent it ride in AMQP headers. An acknowledgement from the
/// handlers (to <see cref="SkeletonTopology.Control"/>) carries the same headers and an empty body.
/// </summary>
internal sealed record SkeletonMessage(Guid KciId, Guid OrderId, long Seq, long SentAtMs, byte[] Body);

/// <summary>A message as a consumer received it: the queue it came from and its delivery tag on the consumer's channel.</summary>
internal sealed record SkeletonDelivery(string Queue, ulong Tag, SkeletonMessage Message);

/// <summary>The skeleton's queues, headers and connections: the same three hops as Kci, with nothing but RabbitMQ.Client and Npgsql.</summary>
internal static class SkeletonTopology
{
    /// <summary>New KCIs, from the load to the sequencer.</summary>
    public const string Received = "skel-received";

    /// <summary>Acknowledgements (KciHandled), from the handlers back to the sequencer: their own queue, so they never wait behind new KCIs.</summary>
    public const string Control = "skel-control";

    /// <summary>Released KCIs, from the sequencer to the handlers: at most one per order at any time.</summary>
    public const string Handle = "skel-handle";

    public static readonly string[] Queues = [Received, Control, Handle];

    private const string KciIdHeader = "kci-id";
    private const string OrderIdHeader = "order-id";
    private const string SeqHeader = "seq";
    private const string SentAtHeader = "sent-at-ms";

    /// <summary>Persistent, with the message's identity in headers.</summary>
    public static BasicProperties Properties(SkeletonMessage message) => new()
    {
        Persistent = true,
        ContentType = "application/json",
        Headers = new Dictionary<string, object?>(4, StringComparer.Ordinal)
        {
            [KciIdHeader] = message.KciId.ToString(),
            [OrderIdHeader] = message.OrderId.ToString(),
            [SeqHeader] = message.Seq,
            [SentAtHeader] = message.SentAtMs,
        },
    };

    /// <summary>Reads a delivery; the body is copied, as RabbitMQ.Client reuses its memory once the handler returns.</summary>
    public static SkeletonMessage Read(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = properties.Headers ?? throw new InvalidDataException("a skeleton message without headers");
        return new SkeletonMessage(ReadGuid(headers, KciIdHeader), ReadGuid(headers, OrderIdHeader), ReadLong(headers, SeqHeader),
            ReadLong(headers, SentAtHeader), body.ToArray());
    }

    private static Guid ReadGuid(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) && value is byte[] text && Utf8Parser.TryParse(text, out Guid id, out _)
            ? id
            : throw new InvalidDataException($"header {name} is missing or not a GUID");

    private static long ReadLong(IDictionary<string, object?> headers, string name) => headers.TryGetValue(name, out var value)
        ? value switch
        {
            long number => number,
            int number => number,
            byte[] text => long.Parse(Encoding.ASCII.GetString(text), System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidDataException($"header {name} is not a number"),
        }
        : throw new InvalidDataException($"header {name} is missing");

    /// <summary>
    /// A connection without automatic recovery: after a broker failure the process stops (its unacknowledged
    /// deliveries go back to their queues, its committed outbox rows wait for the next sweep) rather than carry
    /// on with delivery tags of a channel that no longer exists.
    /// </summary>
    public static Task<IConnection> ConnectAsync(string uri, string name)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(uri),
            ClientProvidedName = name,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
        };
        return factory.CreateConnectionAsync();
    }

    /// <summary>
    /// A channel whose every publish returns once the broker confirmed it (or throws on a nack or an unroutable
    /// mandatory message). Concurrent publishes on it are allowed and their confirms overlap; no client-side limit
    /// on outstanding confirms (callers bound them: one order per load worker, one batch per consumer).
    /// </summary>
    public static Task<IChannel> CreateConfirmedChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    /// <summary>Declares the skeleton's durable queues (idempotent), so no role depends on another having started first.</summary>
    public static async Task DeclareAsync(IChannel channel)
    {
        foreach (var queue in Queues)
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }

    /// <summary>
    /// One data source per process. Like Kci's services (docs/performance.md), connections are not reset on
    /// return to the pool and hot statements are prepared automatically, unless the connection string says otherwise.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    public static void Log(string role, string text) =>
        Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{role}] {text}");
}
