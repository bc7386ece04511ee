using static Kci.Benchmarks.SkeletonTransaction;

namespace Kci.Benchmarks;

/// <summary>
/// The skeleton's sequencer: a saga row per order that lets exactly one KCI per order be in the handlers at a
/// time, in sequence-number order. It consumes new KCIs (<see cref="SkeletonTopology.Received"/>) and the
/// handlers' acknowledgements (<see cref="SkeletonTopology.Control"/>).
/// <list type="bullet">
/// <item>New KCI: the order's row is locked (created first if new); the KCI is held (a KCI id seen before changes
/// nothing); if it is the next number due and nothing is in flight, it is released: marked, set in flight, and an
/// outbox row to <see cref="SkeletonTopology.Handle"/> carries its body.</item>
/// <item>Acknowledgement of KCI X: if X is the order's KCI in flight, the next number becomes due and, if it is
/// held, it is released. Any other acknowledgement (a repeat, a stale one) changes nothing.</item>
/// </list>
/// A batch of deliveries is applied in one transaction: all its orders' rows are locked by one statement in
/// order_id order (two transactions never wait for each other in opposite orders), then the deliveries are applied
/// one by one in delivery order, in memory, and the changes are written back. Sequence numbers are taken to be
/// unique within an order and to start at 1 (the load makes them so; there are no gaps or deadlines here).
/// </summary>
internal static class SkeletonSequencer
{
    private const short Held = 0;
    private const short Released = 1;
    private const short Handled = 2;

    public static Task<int> RunAsync(IReadOnlyList<string> args) =>
        SkeletonService.RunAsync("skeleton-sequencer", args, [SkeletonTopology.Received, SkeletonTopology.Control], SkeletonTopology.Handle, ApplyAsync);

    /// <summary>An order's saga row as locked, and its held KCIs by sequence number.</summary>
    private sealed class Saga(long nextSeq, Guid? inFlight)
    {
        public long NextSeq { get; set; } = nextSeq;
        public Guid? InFlight { get; set; } = inFlight;
        public bool Changed { get; set; }
        public Dictionary<long, Guid> Waiting { get; } = [];
    }

    private static async Task<IReadOnlyList<SkeletonOutboxRow>> ApplyAsync(SkeletonTransaction transaction, IReadOnlyList<SkeletonDelivery> deliveries)
    {
        var received = deliveries.Where(d => d.Queue == SkeletonTopology.Received).Select(d => d.Message).DistinctBy(m => m.KciId).ToList();
        var orderIds = deliveries.Select(d => d.Message.OrderId).Distinct().Order().ToArray();
        var (sagas, fresh) = await LockAsync(transaction, orderIds, received);

        var released = new List<Guid>();
        var handled = new List<Guid>();
        foreach (var delivery in deliveries)
        {
            var message = delivery.Message;
            if (!sagas.TryGetValue(message.OrderId, out var saga))
                continue; // an acknowledgement for an order this sequencer never saw: nothing to advance
            if (delivery.Queue == SkeletonTopology.Received)
            {
                if (!fresh.Remove(message.KciId))
                    continue; // a KCI id seen before (a redelivery, a repeat): no effect
                saga.Waiting.TryAdd(message.Seq, message.KciId);
            }
            else
            {
                if (saga.InFlight != message.KciId)
                    continue; // a repeated or stale acknowledgement: no effect
                saga.InFlight = null;
                saga.NextSeq++;
                saga.Changed = true;
                handled.Add(message.KciId);
            }
            if (saga.InFlight is null && saga.Waiting.Remove(saga.NextSeq, out var next))
            {
                saga.InFlight = next;
                saga.Changed = true;
                released.Add(next);
            }
        }
        return await WriteAsync(transaction, sagas, handled, released);
    }

    /// <summary>
    /// One round trip: creates the rows of new orders, locks every order's row, holds the new KCIs (RETURNING tells
    /// which were new), and reads the KCIs still held for these orders. Read committed: the held KCIs are read after
    /// the lock, so they include everything committed by whoever held the lock before.
    /// </summary>
    private static async Task<(Dictionary<Guid, Saga> Sagas, HashSet<Guid> Fresh)> LockAsync(
        SkeletonTransaction transaction, Guid[] orderIds, List<SkeletonMessage> received)
    {
        var sagas = new Dictionary<Guid, Saga>(orderIds.Length);
        var fresh = new HashSet<Guid>();
        await using var batch = transaction.CreateBatch();
        if (received.Count > 0)
        {
            var newOrderIds = received.Select(m => m.OrderId).Distinct().Order().ToArray();
            batch.BatchCommands.Add(Command("""
                INSERT INTO skel.orders (order_id) SELECT id FROM unnest($1::uuid[]) AS id ORDER BY id ON CONFLICT DO NOTHING
                """, newOrderIds));
        }
        batch.BatchCommands.Add(Command("""
            SELECT order_id, next_seq, in_flight FROM skel.orders WHERE order_id = ANY($1) ORDER BY order_id FOR UPDATE
            """, orderIds));
        if (received.Count > 0)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO skel.held (kci_id, order_id, seq, sent_at_ms, body)
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], $5::bytea[])
                ON CONFLICT DO NOTHING RETURNING kci_id
                """,
                received.Select(m => m.KciId).ToArray(), received.Select(m => m.OrderId).ToArray(), received.Select(m => m.Seq).ToArray(),
                received.Select(m => m.SentAtMs).ToArray(), received.Select(m => m.Body).ToArray()));
        }
        batch.BatchCommands.Add(Command($"SELECT order_id, seq, kci_id FROM skel.held WHERE order_id = ANY($1) AND status = {Held}", orderIds));
        transaction.AddOutboxCleanup(batch);

        await using var reader = await batch.ExecuteReaderAsync();
        // Statements without a result (the order insert, the cleanup) give no result set to the reader.
        while (await reader.ReadAsync())
            sagas[reader.GetGuid(0)] = new Saga(reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetGuid(2));
        if (received.Count > 0)
        {
            await reader.NextResultAsync();
            while (await reader.ReadAsync())
                fresh.Add(reader.GetGuid(0));
        }
        await reader.NextResultAsync();
        while (await reader.ReadAsync())
        {
            var kciId = reader.GetGuid(2);
            if (!fresh.Contains(kciId)) // this batch's new KCIs join when their delivery is applied
                sagas[reader.GetGuid(0)].Waiting.TryAdd(reader.GetInt64(1), kciId);
        }
        return (sagas, fresh);
    }

    /// <summary>One round trip: the changed saga rows, the handled KCIs, and for each release its outbox row (with the body) and its mark.</summary>
    private static async Task<IReadOnlyList<SkeletonOutboxRow>> WriteAsync(
        SkeletonTransaction transaction, Dictionary<Guid, Saga> sagas, List<Guid> handled, List<Guid> released)
    {
        var changed = sagas.Where(s => s.Value.Changed).OrderBy(s => s.Key).ToList();
        if (changed.Count == 0)
            return [];
        await using var batch = transaction.CreateBatch();
        if (released.Count > 0)
        {
            batch.BatchCommands.Add(Command($"""
                INSERT INTO skel.outbox (destination, kci_id, order_id, seq, sent_at_ms, body)
                SELECT $2, kci_id, order_id, seq, sent_at_ms, body FROM skel.held WHERE kci_id = ANY($1)
                RETURNING {SkeletonOutbox.Columns}
                """, released.ToArray(), SkeletonTopology.Handle));
            batch.BatchCommands.Add(Command($"UPDATE skel.held SET status = {Released}, body = NULL WHERE kci_id = ANY($1)", released.ToArray()));
        }
        batch.BatchCommands.Add(Command("""
            UPDATE skel.orders AS o SET next_seq = v.next_seq, in_flight = v.in_flight
            FROM unnest($1::uuid[], $2::bigint[], $3::uuid[]) AS v(order_id, next_seq, in_flight)
            WHERE o.order_id = v.order_id
            """,
            changed.Select(s => s.Key).ToArray(), changed.Select(s => s.Value.NextSeq).ToArray(), changed.Select(s => s.Value.InFlight).ToArray()));
        if (handled.Count > 0)
            batch.BatchCommands.Add(Command($"UPDATE skel.held SET status = {Handled} WHERE kci_id = ANY($1)", handled.ToArray()));
        transaction.AddOutboxCleanup(batch);

        var rows = new List<SkeletonOutboxRow>(released.Count);
        await using var reader = await batch.ExecuteReaderAsync();
        if (released.Count > 0)
        {
            while (await reader.ReadAsync())
                rows.Add(SkeletonOutbox.ReadRow(reader));
        }
        return rows;
    }
}
