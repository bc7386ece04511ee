using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kci.Hosting.Persistence;

/// <summary>
/// Sends outbox rows to RabbitMQ (persistent, with publisher confirms). Right after a transaction with outbox rows
/// commits, its own consumer sends them (<see cref="SendAfterCommitAsync"/>) and the relay deletes them later in
/// batches; a row whose send failed, or whose process died first, is swept by the relay once it is
/// <see cref="OutboxOptions.SweepAfter"/> old. Sending right away saves the relay's wake-up and its SELECT round
/// trip on every message (docs/performance.md); delivery stays at least once, and consumers deduplicate.
/// </summary>
public sealed class OutboxDelivery<TDb>(IBus bus, OutboxSignal<TDb> signal, IOptions<OutboxOptions> options, ILogger<OutboxDelivery<TDb>> logger)
    where TDb : DbContext
{
    private readonly ConcurrentQueue<long> _sent = new();

    public bool SendsAfterCommit => options.Value.SendAfterCommit;

    /// <summary>
    /// Sends the rows a transaction just committed, waiting at most half of <see cref="OutboxOptions.SweepAfter"/>
    /// for the broker (so a slow broker holds up neither the consumer nor an operator's HTTP request, and the
    /// sweep never takes a row whose send is still under way); what is not confirmed by then is left to the sweep.
    /// </summary>
    public async Task SendAfterCommitAsync(IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.Value.SweepAfter / 2);
        await Task.WhenAll(rows.Select(async row =>
        {
            try
            {
                await SendAsync(row, bound.Token);
                _sent.Enqueue(row.Id);
            }
            catch (Exception ex)
            {
                HostingLog.OutboxSendAfterCommitFailed(logger, ex, typeof(TDb).Name, row.MessageId);
            }
        }));
        signal.Notify();
    }

    /// <summary>Ids taken by <see cref="TakeSent"/> whose delete failed: deleted on a later round.</summary>
    public void ReturnSent(IEnumerable<long> ids)
    {
        foreach (var id in ids)
            _sent.Enqueue(id);
    }

    /// <summary>Ids of rows sent after their commit and not yet deleted.</summary>
    public long[] TakeSent(int max)
    {
        var ids = new List<long>(Math.Min(max, _sent.Count));
        while (ids.Count < max && _sent.TryDequeue(out var id))
            ids.Add(id);
        return [.. ids];
    }

    public async Task SendAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var type = Outbox.ResolveMessageType(row.MessageType);
        var message = row.Message ?? JsonSerializer.Deserialize(row.Body, type, Outbox.Json)!;
        var endpoint = await bus.GetSendEndpoint(Messaging.KciQueues.Address(row.Destination));
        using var span = Telemetry.KciTracing.StartUnder($"outbox send {row.Destination}", System.Diagnostics.ActivityKind.Producer, row.TraceParent);
        await endpoint.Send(message, type, Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = row.MessageId;
            context.CorrelationId = row.CorrelationId;
            context.ConversationId = row.ConversationId;
            context.Durable = true;
            if (row.FaultDestination is { } faultQueue)
                context.FaultAddress = Messaging.KciQueues.Address(faultQueue);
        }), cancellationToken);
    }
}
