using System.Collections.Concurrent;
using Npgsql;
using RabbitMQ.Client;

namespace Kci.Benchmarks;

/// <summary>A committed outbox row: a message to publish to <c>Destination</c> (a queue, through the default exchange).</summary>
internal sealed record SkeletonOutboxRow(long Id, string Destination, SkeletonMessage Message);

/// <summary>
/// The transactional outbox of one process. A consumer writes its messages as rows in the same transaction as its
/// state change; after the commit it publishes them itself, with confirms (<see cref="PublishAsync"/>), and the ids
/// of the confirmed rows are deleted by the next transaction of any consumer of the process (no round trip of
/// their own) or by the sweep. Guarantees:
/// <list type="bullet">
/// <item>a committed row is published at least once: if the publish after the commit fails or the process dies
/// first, the sweep (every second, rows older than <see cref="SweepAfter"/>) publishes it, here or after a restart
/// (each service sweeps only the destinations it writes to, as if the table were its own);</item>
/// <item>a row may be published twice (a crash between the confirm and the delete, or a publish slower than
/// <see cref="SweepAfter"/>): every receiver deduplicates (the sequencer by KCI id and by the KCI in flight, the
/// handlers by their timeline).</item>
/// </list>
/// </summary>
internal sealed class SkeletonOutbox(NpgsqlDataSource db, IChannel publisher, string role, string[] destinations)
{
    /// <summary>Rows older than this and still present are taken to be unsent. Publishes after a commit give up at half of it.</summary>
    public static readonly TimeSpan SweepAfter = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PublishTimeout = SweepAfter / 2;

    /// <summary>The columns <see cref="ReadRow"/> expects, for a RETURNING or SELECT clause.</summary>
    public const string Columns = "id, destination, kci_id, order_id, seq, sent_at_ms, body";

    private readonly ConcurrentQueue<long> _sent = new();

    public int Swept { get; private set; }

    public static SkeletonOutboxRow ReadRow(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetString(1),
        new SkeletonMessage(reader.GetGuid(2), reader.GetGuid(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetFieldValue<byte[]>(6)));

    /// <summary>The ids published since the last call: the caller deletes them in its transaction, or gives them back if that fails.</summary>
    public long[] TakeSent()
    {
        if (_sent.IsEmpty)
            return [];
        var ids = new List<long>();
        while (_sent.TryDequeue(out var id))
            ids.Add(id);
        return [.. ids];
    }

    public void GiveBack(IEnumerable<long> ids)
    {
        foreach (var id in ids)
            _sent.Enqueue(id);
    }

    /// <summary>A statement deleting published rows, for the first batch of a transaction.</summary>
    public static NpgsqlBatchCommand DeleteCommand(long[] ids) =>
        new("DELETE FROM skel.outbox WHERE id = ANY($1)") { Parameters = { new NpgsqlParameter { Value = ids } } };

    /// <summary>
    /// Publishes committed rows, all at once on the confirmed channel, and waits for their confirms (at most
    /// <see cref="PublishTimeout"/>). Returns the ids the broker confirmed; the others stay for the sweep.
    /// </summary>
    public async Task<List<long>> PublishAsync(IReadOnlyList<SkeletonOutboxRow> rows)
    {
        var confirmed = new List<long>(rows.Count);
        if (rows.Count == 0)
            return confirmed;
        using var timeout = new CancellationTokenSource(PublishTimeout);
        var publishes = rows.Select(row => publisher.BasicPublishAsync("", row.Destination, mandatory: true,
            SkeletonTopology.Properties(row.Message), row.Message.Body, timeout.Token).AsTask()).ToArray();
        try
        {
            await Task.WhenAll(publishes);
        }
        catch (Exception exception)
        {
            SkeletonTopology.Log(role, $"publish failed, left for the sweep: {exception.GetType().Name}: {exception.Message}");
        }
        for (var i = 0; i < rows.Count; i++)
        {
            if (publishes[i].IsCompletedSuccessfully)
                confirmed.Add(rows[i].Id);
        }
        return confirmed;
    }

    /// <summary>Remembers confirmed rows for deletion by the next transaction.</summary>
    public void MarkSent(IEnumerable<long> ids) => GiveBack(ids);

    /// <summary>Every second: deletes what was published and no transaction deleted yet, then publishes the rows nobody sent.</summary>
    public async Task SweepLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await SweepOnceAsync();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                SkeletonTopology.Log(role, $"sweep failed, next one in a second: {exception.Message}");
            }
        }
    }

    private async Task SweepOnceAsync()
    {
        var sent = TakeSent();
        try
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var batch = new NpgsqlBatch(connection, transaction);
            if (sent.Length > 0)
                batch.BatchCommands.Add(DeleteCommand(sent));
            // SKIP LOCKED: rows another transaction is deleting right now are not ours to send.
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                SELECT {Columns} FROM skel.outbox WHERE created_at < now() - $1::interval AND destination = ANY($2)
                ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED
                """) { Parameters = { new NpgsqlParameter { Value = SweepAfter }, new NpgsqlParameter { Value = destinations } } });
            var unsent = new List<SkeletonOutboxRow>();
            await using (batch)
            await using (var reader = await batch.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                    unsent.Add(ReadRow(reader));
            }
            var confirmed = await PublishAsync(unsent);
            if (confirmed.Count > 0)
            {
                await using var delete = new NpgsqlCommand("DELETE FROM skel.outbox WHERE id = ANY($1)", connection, transaction)
                {
                    Parameters = { new NpgsqlParameter { Value = confirmed.ToArray() } },
                };
                await delete.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            sent = [];
            if (unsent.Count > 0)
            {
                Swept += confirmed.Count;
                SkeletonTopology.Log(role, $"sweep: {unsent.Count} committed outbox rows were unsent, {confirmed.Count} now published");
            }
        }
        finally
        {
            GiveBack(sent);
        }
    }
}
