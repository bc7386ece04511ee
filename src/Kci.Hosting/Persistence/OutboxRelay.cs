using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kci.Hosting.Persistence;

public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Rows locked and sent per round.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often the table is looked at without a commit signal (rows left by another instance or a crash).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Sends committed outbox rows to RabbitMQ and deletes them in the same transaction. Rows are locked with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several instances relay side by side without sending a row twice,
/// and a row whose send was not confirmed stays for the next round (delivery is at least once;
/// consumers deduplicate).
/// </summary>
public sealed class OutboxRelay<TDb>(
    IServiceScopeFactory scopes,
    OutboxSignal<TDb> signal,
    IBus bus,
    IOptions<OutboxOptions> options,
    ILogger<OutboxRelay<TDb>> logger) : BackgroundService
    where TDb : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var relayed = await RelayBatchAsync(stoppingToken);
                failures = 0;
                if (relayed < options.Value.BatchSize)
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                HostingLog.OutboxRelayFailed(logger, ex, typeof(TDb).Name, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), stoppingToken);
            }
        }
    }

    private async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var table = db.Model.FindEntityType(typeof(OutboxMessage))!.GetSchemaQualifiedTableName();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
#pragma warning disable EF1002 // the table name comes from our own model, the batch size from typed options
        var rows = await db.Set<OutboxMessage>()
            .FromSqlRaw($"SELECT * FROM {table} ORDER BY id LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED")
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
            return 0;

        // At most one message per order is in flight at a time (see docs/ordering.md), so the rows of a
        // batch are independent and can wait for their publisher confirms together.
        await Task.WhenAll(rows.Select(row => SendAsync(row, cancellationToken)));

        var ids = rows.Select(r => r.Id).ToArray();
        await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table} WHERE id = ANY({{0}})", [ids], cancellationToken);
#pragma warning restore EF1002
        await transaction.CommitAsync(cancellationToken);
        HostingLog.OutboxRelayed(logger, rows.Count, typeof(TDb).Name);
        return rows.Count;
    }

    private async Task SendAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var type = Outbox.ResolveMessageType(row.MessageType);
        var message = JsonSerializer.Deserialize(row.Body, type, Outbox.Json)!;
        var endpoint = await bus.GetSendEndpoint(Messaging.KciQueues.Address(row.Destination));
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
