using System.Text;
using System.Text.Json;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Hosting.Resilience;
using Kci.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Kci.Handlers.DeadLetters;

/// <summary>
/// Takes whatever reaches one of the pipeline's <c>_error</c> queues (a fault) or <c>_skipped</c> queues (a message no
/// consumer of that endpoint takes, say a misrouted type) into <c>handlers.dead_letters</c>, where the operations
/// API lists it (per queue: how many, the oldest, why) and an operator can replay it. A message is acknowledged to RabbitMQ
/// only after its row committed, and stored once even if taken twice. A <see cref="KciReceived"/> among them also tells the
/// sequencer (<see cref="KciDeadLettered"/>, in the same transaction), so its number is held for it and never passes for a
/// gap. Every Handlers instance may run this: a message is delivered to one of them.
/// </summary>
public sealed class DeadLetterIngest(
    IServiceScopeFactory scopes,
    IOptions<RabbitMqOptions> rabbit,
    TimeProvider clock,
    DatabaseGate gate,
    ILogger<DeadLetterIngest> logger) : RepeatingService(clock, logger, gate)
{
    private const int Batch = 100;
    private IConnection? _connection;
    private IChannel? _channel;

    /// <summary>Every queue of the pipeline that MassTransit may fault messages from.</summary>
    public static readonly string[] SourceQueues =
    [
        KciQueues.Sequencer, KciQueues.SequencerControl, KciQueues.Informational, KciQueues.ActionRequired,
        KciQueues.Error, KciQueues.Unrecognised, KciQueues.Gaps,
    ];

    /// <summary>Where MassTransit moves a message that faulted for good, and one no consumer of the endpoint takes.</summary>
    private static readonly string[] DeadLetterSuffixes = ["_error", "_skipped"];

    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var queue in SourceQueues)
            {
                foreach (var suffix in DeadLetterSuffixes)
                    await TakeAsync(await ChannelAsync(cancellationToken), queue, queue + suffix, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.RabbitMQClientException or RabbitMQ.Client.Exceptions.OperationInterruptedException
                                       or IOException or System.Net.Sockets.SocketException)
        {
            await ResetAsync(); // the broker is away: try again next round
        }
    }

    private async Task TakeAsync(IChannel channel, string sourceQueue, string queue, CancellationToken cancellationToken)
    {
        for (var taken = 0; taken < Batch; taken++)
        {
            BasicGetResult? message;
            try
            {
                message = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                return; // no such queue yet: nothing ever faulted there (the broker closed the channel; the next one opens anew)
            }
            if (message is null)
                return;

            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<HandlersDb>();
                await StoreAsync(db, queue, sourceQueue, message, cancellationToken);
            }
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
        }
    }

    private async Task StoreAsync(HandlersDb db, string queue, string sourceQueue, BasicGetResult message, CancellationToken cancellationToken)
    {
        var envelope = message.Body.ToArray();
        var read = EnvelopeReader.Read(envelope);
        var headers = message.BasicProperties.Headers;
        var messageId = read.MessageId ?? (Guid.TryParse(message.BasicProperties.MessageId, out var id) ? id : NameBasedGuid.Create(Convert.ToBase64String(envelope)));

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.DeadLetters.AnyAsync(d => d.Queue == queue && d.MessageId == messageId, cancellationToken))
            return; // taken before; only its ack was lost
        var row = new DeadLetter
        {
            Queue = queue,
            SourceQueue = sourceQueue,
            MessageId = messageId,
            MessageType = read.MessageType ?? "unknown",
            OrderId = read.OrderId,
            EntityType = read.EntityType,
            EntityId = read.EntityId,
            KciId = read.KciId,
            SequenceNumber = read.SequenceNumber,
            ConversationId = read.ConversationId,
            ExceptionType = Header(headers, "MT-Fault-ExceptionType")
                ?? (queue.EndsWith("_skipped", StringComparison.Ordinal) ? "skipped: no consumer of this endpoint takes its type" : null),
            ExceptionMessage = Cut(Header(headers, "MT-Fault-Message"), 500),
            FaultedAt = DateTimeOffset.TryParse(Header(headers, "MT-Fault-Timestamp"), out var at) ? at : null,
            TakenAt = Clock.GetUtcNow(),
            State = DeadLetterStates.Dead,
            Envelope = envelope,
        };
        db.DeadLetters.Add(row);

        if (read.Message is { } body && read.MessageType == nameof(KciReceived) && !IdTakenByAnotherOrder(row.ExceptionMessage)
            && body.Deserialize<KciReceived>(JsonSerializerOptions.Web) is { } kci)
        {
            db.Enqueue(KciQueues.SequencerControl,
                new KciDeadLettered { OrderId = kci.OrderId, Kci = kci, Queue = queue, Reason = row.ExceptionType },
                NameBasedGuid.Create($"dead-lettered:{queue}:{messageId}"),
                correlationId: kci.OrderId);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.DeadLetterTaken(logger, queue, row.MessageType, messageId, row.EntityType, row.EntityId, row.SequenceNumber, row.ExceptionType);
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true })
            return _channel;
        if (_connection is { IsOpen: true })
        {
            if (_channel is not null)
                await _channel.DisposeAsync();
            _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
            return _channel;
        }
        await ResetAsync();
        _connection = await rabbit.Value.ConnectionFactory().CreateConnectionAsync($"kci-dead-letters-{Environment.ProcessId}", cancellationToken);
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return _channel;
    }

    private async Task ResetAsync()
    {
        try
        {
            if (_channel is not null)
                await _channel.DisposeAsync();
            if (_connection is not null)
                await _connection.DisposeAsync();
        }
        catch (Exception)
        {
            // already broken
        }
        _channel = null;
        _connection = null;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ResetAsync();
    }

    /// <summary>
    /// The gateway reused a KCI id that another order holds already (the sequencer's key): no placeholder can carry that id
    /// in this order either, so the sequencer is not asked to hold the number. The dead letter, listed with the order, is
    /// where the operator sees it.
    /// </summary>
    private static bool IdTakenByAnotherOrder(string? exceptionMessage) =>
        exceptionMessage is not null && exceptionMessage.Contains("23505", StringComparison.Ordinal)
        && exceptionMessage.Contains("pk_order_kcis", StringComparison.Ordinal);

    private static string? Header(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), null => null, _ => value.ToString() }
            : null;

    /// <summary>Cut to a length, and free of NUL (PostgreSQL's text refuses it).</summary>
    private static string? Cut(string? text, int max) =>
        text is null ? null : (text.Length > max ? text[..max] + "…" : text).Replace("\0", "", StringComparison.Ordinal);
}

public static class DeadLetterStates
{
    public const string Dead = "dead";
    public const string Replayed = "replayed";
}
