using static Kci.Benchmarks.SkeletonTransaction;

namespace Kci.Benchmarks;

/// <summary>
/// The skeleton's handlers: for each released KCI (<see cref="SkeletonTopology.Handle"/>), in one transaction,
/// a timeline row (the inbox: a KCI handled before gets no second row), the order's state, and an outbox row
/// acknowledging the KCI to the sequencer (<see cref="SkeletonTopology.Control"/>). A redelivered KCI is
/// acknowledged again, so a sequencer that lost the first acknowledgement still advances; a repeated
/// acknowledgement changes nothing there.
/// </summary>
internal static class SkeletonHandlers
{
    public static Task<int> RunAsync(IReadOnlyList<string> args) =>
        SkeletonService.RunAsync("skeleton-handlers", args, [SkeletonTopology.Handle], SkeletonTopology.Control, ApplyAsync);

    /// <summary>One round trip for the whole batch: timeline and order state in one statement, then the acknowledgements.</summary>
    private static async Task<IReadOnlyList<SkeletonOutboxRow>> ApplyAsync(SkeletonTransaction transaction, IReadOnlyList<SkeletonDelivery> deliveries)
    {
        var kcis = deliveries.Select(d => d.Message).DistinctBy(m => m.KciId).ToList();
        var kciIds = kcis.Select(m => m.KciId).ToArray();
        var orderIds = kcis.Select(m => m.OrderId).ToArray();
        var seqs = kcis.Select(m => m.Seq).ToArray();
        var sentAt = kcis.Select(m => m.SentAtMs).ToArray();

        await using var batch = transaction.CreateBatch();
        // Only KCIs new to the timeline move their order's state; rows are taken in delivery order, so handled_no
        // follows it (an order never has two KCIs here at once: the sequencer releases the next after this commit).
        batch.BatchCommands.Add(Command("""
            WITH fresh AS (
                INSERT INTO skel.timeline (kci_id, order_id, seq, body, sent_at_ms)
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bytea[], $5::bigint[])
                ON CONFLICT DO NOTHING
                RETURNING order_id, seq)
            INSERT INTO skel.order_state (order_id, last_seq, updated_at)
            SELECT order_id, max(seq), clock_timestamp() FROM fresh GROUP BY order_id ORDER BY order_id
            ON CONFLICT (order_id) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at
            """, kciIds, orderIds, seqs, kcis.Select(m => m.Body).ToArray(), sentAt));
        batch.BatchCommands.Add(Command($"""
            INSERT INTO skel.outbox (destination, kci_id, order_id, seq, sent_at_ms, body)
            SELECT $5, kci_id, order_id, seq, sent_at_ms, ''::bytea
            FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[]) AS v(kci_id, order_id, seq, sent_at_ms)
            RETURNING {SkeletonOutbox.Columns}
            """, kciIds, orderIds, seqs, sentAt, SkeletonTopology.Control));
        transaction.AddOutboxCleanup(batch);

        var rows = new List<SkeletonOutboxRow>(kcis.Count);
        await using var reader = await batch.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(SkeletonOutbox.ReadRow(reader));
        return rows;
    }
}
