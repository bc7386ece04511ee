using System.Runtime.InteropServices;
using System.Threading.Channels;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Kci.Benchmarks;

/// <summary>
/// How a service consumes. <c>single</c>: one consumer channel per queue with <c>Prefetch</c> deliveries and
/// <c>Workers</c> parallel workers, each taking one delivery per transaction and acknowledging it alone.
/// <c>batched</c>: <c>Workers</c> consumer channels per queue, each with one worker that takes what its channel
/// holds right now (up to <c>BatchSize</c>) into one transaction and acknowledges the batch with one multiple-ack.
/// </summary>
internal sealed record SkeletonConsumerOptions(bool Batched, ushort Prefetch, int Workers, int BatchSize)
{
    public static SkeletonConsumerOptions From(Arguments arguments)
    {
        var batched = arguments.Text("variant", "single") switch
        {
            "single" => false,
            "batched" => true,
            var other => throw new ArgumentException($"--variant {other}: single or batched"),
        };
        var batchSize = batched ? arguments.Int("batch", 100) : 1;
        var prefetch = arguments.Int("prefetch", batched ? 2 * batchSize : 32);
        return new SkeletonConsumerOptions(batched, checked((ushort)prefetch), arguments.Int("workers", batched ? 1 : 8), batchSize);
    }

    public override string ToString() => Batched
        ? $"batched: {Workers} consumer(s) per queue, prefetch {Prefetch}, batches of up to {BatchSize}"
        : $"single: prefetch {Prefetch} per queue, {Workers} workers per queue";
}

/// <summary>
/// One transaction of a service. Its first batch of statements (through <see cref="AddOutboxCleanup"/>) also deletes
/// the outbox rows this process published since its previous transaction, so deletion costs no round trip of its own.
/// </summary>
internal sealed class SkeletonTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] sentToDelete)
{
    private bool _deleted;

    public NpgsqlBatch CreateBatch() => new(connection, transaction);

    /// <summary>A statement with positional parameters ($1, $2, ...): arrays for unnest and ANY, mostly.</summary>
    public static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    /// <summary>Adds the deletion of published outbox rows (once per transaction); add it last, after the statements whose results are read.</summary>
    public void AddOutboxCleanup(NpgsqlBatch batch)
    {
        if (_deleted || sentToDelete.Length == 0)
            return;
        batch.BatchCommands.Add(SkeletonOutbox.DeleteCommand(sentToDelete));
        _deleted = true;
    }
}

/// <summary>What a service does with deliveries inside one transaction; returns the outbox rows it wrote.</summary>
internal delegate Task<IReadOnlyList<SkeletonOutboxRow>> SkeletonApply(SkeletonTransaction transaction, IReadOnlyList<SkeletonDelivery> deliveries);

/// <summary>
/// The loop every skeleton service shares: deliveries, one transaction, the outbox published, the deliveries acked.
/// Guarantees: a delivery is acknowledged only after its transaction committed and its outbox rows were published
/// (or given up to the sweep); a crash anywhere before the ack means a redelivery, which the services' state
/// deduplicates. Deadlocks and other transient database errors roll back and retry the same deliveries.
/// </summary>
internal sealed class SkeletonService(string role, SkeletonConsumerOptions options, NpgsqlDataSource db, SkeletonOutbox outbox, SkeletonApply apply)
{
    private const int Attempts = 5;
    private long _deliveries;
    private long _transactions;

    /// <summary>
    /// Runs a service consuming <paramref name="queues"/> and writing outbox rows to <paramref name="destination"/>,
    /// until SIGTERM/SIGINT (exit 0) or a failure (exit 1: the broker or database went away, an unexpected error).
    /// </summary>
    public static async Task<int> RunAsync(string role, IReadOnlyList<string> args, IReadOnlyList<string> queues, string destination, SkeletonApply apply)
    {
        var arguments = new Arguments(args);
        var options = SkeletonConsumerOptions.From(arguments);
        var rabbit = arguments.Text("rabbit", "amqp://guest:guest@localhost:5672/");
        Console.WriteLine($"{role} pid {Environment.ProcessId}, {options}");

        await using var db = SkeletonTopology.CreateDataSource(arguments.Text("pg"));
        await SkeletonSchema.EnsureAsync(db);
        // Publishing and consuming on connections of their own: the broker's flow control blocks publishing
        // connections, and must not hold up the acks.
        await using var publishing = await SkeletonTopology.ConnectAsync(rabbit, $"{role}-publish");
        await using var consuming = await SkeletonTopology.ConnectAsync(rabbit, $"{role}-consume");
        await using var publisher = await SkeletonTopology.CreateConfirmedChannelAsync(publishing);
        await SkeletonTopology.DeclareAsync(publisher);

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        var brokerLost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publishing.ConnectionShutdownAsync += (_, e) =>
        {
            if (!stop.IsCancellationRequested)
                brokerLost.TrySetException(new IOException($"publishing connection closed: {e.ReplyText}"));
            return Task.CompletedTask;
        };

        var outbox = new SkeletonOutbox(db, publisher, role, [destination]);
        var service = new SkeletonService(role, options, db, outbox, apply);
        var tasks = new List<Task>();
        foreach (var queue in queues)
            tasks.AddRange(await service.ConsumeAsync(consuming, queue, stop.Token));
        tasks.Add(outbox.SweepLoopAsync(stop.Token));
        tasks.Add(service.ReportLoopAsync(stop.Token));

        var ended = await Task.WhenAny(tasks.Append(brokerLost.Task));
        if (!stop.IsCancellationRequested)
        {
            SkeletonTopology.Log(role, $"stopping on failure: {ended.Exception?.GetBaseException().ToString() ?? "a worker ended"}");
            return 1;
        }
        await Task.WhenAll(tasks);
        SkeletonTopology.Log(role, $"stopped: {service._deliveries} deliveries in {service._transactions} transactions, {outbox.Swept} outbox rows swept");
        return 0;
    }

    /// <summary>Starts consuming one queue; returns the workers.</summary>
    private async Task<List<Task>> ConsumeAsync(IConnection connection, string queue, CancellationToken stop)
    {
        var workers = new List<Task>();
        var channels = options.Batched ? options.Workers : 1;
        var workersPerChannel = options.Batched ? 1 : options.Workers;
        for (var c = 0; c < channels; c++)
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: stop);
            await channel.BasicQosAsync(0, options.Prefetch, global: false, stop);
            // The consumer only hands deliveries over (in delivery order); the prefetch bounds what waits here.
            var deliveries = Channel.CreateUnbounded<SkeletonDelivery>(new UnboundedChannelOptions
            {
                SingleWriter = true,
                SingleReader = workersPerChannel == 1,
            });
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) =>
            {
                try
                {
                    deliveries.Writer.TryWrite(new SkeletonDelivery(queue, e.DeliveryTag, SkeletonTopology.Read(e.BasicProperties, e.Body)));
                }
                catch (InvalidDataException exception)
                {
                    deliveries.Writer.TryComplete(exception); // not a skeleton message: stop rather than guess
                }
                return Task.CompletedTask;
            };
            channel.ChannelShutdownAsync += (_, e) =>
            {
                deliveries.Writer.TryComplete(stop.IsCancellationRequested ? null : new IOException($"{queue} channel closed: {e.ReplyText}"));
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, stop);
            for (var w = 0; w < workersPerChannel; w++)
                workers.Add(Task.Run(() => WorkAsync(channel, deliveries.Reader, stop), CancellationToken.None));
        }
        return workers;
    }

    private async Task WorkAsync(IChannel channel, ChannelReader<SkeletonDelivery> deliveries, CancellationToken stop)
    {
        var batch = new List<SkeletonDelivery>(options.BatchSize);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await deliveries.WaitToReadAsync(stop))
                    return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            // What the channel holds right now, in delivery order (single: one delivery).
            batch.Clear();
            while (batch.Count < options.BatchSize && deliveries.TryRead(out var delivery))
                batch.Add(delivery);
            if (batch.Count > 0)
                await ProcessAsync(channel, batch);
        }
    }

    private async Task ProcessAsync(IChannel channel, IReadOnlyList<SkeletonDelivery> batch)
    {
        var rows = await TransactAsync(batch);
        outbox.MarkSent(await outbox.PublishAsync(rows));
        // Batched: one worker per channel, so every tag up to the last is this batch's or was acked before.
        await channel.BasicAckAsync(batch[^1].Tag, multiple: options.Batched);
        Interlocked.Add(ref _deliveries, batch.Count);
        Interlocked.Increment(ref _transactions);
    }

    private async Task<IReadOnlyList<SkeletonOutboxRow>> TransactAsync(IReadOnlyList<SkeletonDelivery> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sent = outbox.TakeSent();
            try
            {
                await using var connection = await db.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var rows = await apply(new SkeletonTransaction(connection, transaction, sent), batch);
                await transaction.CommitAsync();
                return rows;
            }
            catch (NpgsqlException exception) when (IsTransient(exception) && attempt < Attempts)
            {
                // Rolled back (or, if the commit's answer was lost, committed: a retry then finds everything
                // already applied and changes nothing). The published rows are deleted by the next transaction.
                outbox.GiveBack(sent);
                SkeletonTopology.Log(role, $"transaction failed ({exception.Message}), retrying {batch.Count} deliveries");
                await Task.Delay(20 * attempt);
            }
            catch
            {
                outbox.GiveBack(sent);
                throw;
            }
        }
    }

    /// <summary>Deadlocks and serialization failures are named explicitly; lost connections and the like are transient to Npgsql.</summary>
    private static bool IsTransient(NpgsqlException exception) =>
        exception.IsTransient || exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    private async Task ReportLoopAsync(CancellationToken stop)
    {
        long reported = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var deliveries = Interlocked.Read(ref _deliveries);
            if (deliveries != reported)
                SkeletonTopology.Log(role, $"{deliveries} deliveries in {Interlocked.Read(ref _transactions)} transactions");
            reported = deliveries;
        }
    }
}
