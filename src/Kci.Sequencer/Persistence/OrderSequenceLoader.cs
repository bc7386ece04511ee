using Kci.Sequencer.Sequencing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Kci.Sequencer.Persistence;

/// <summary>
/// Locks a saga's row for the rest of the current transaction and loads it, tracked by <typeparamref name="TDb"/> (so the
/// save that follows writes only what the state machine changed), with the database's clock read after the lock.
/// </summary>
public interface ISagaLoader<TSaga, in TDb>
    where TSaga : class, ISaga
    where TDb : DbContext
{
    /// <returns>No instance when the row does not exist: the caller inserts, and an insert race ends in 23505 (retried).</returns>
    Task<(TSaga? Instance, DateTimeOffset Now)> LockAndLoadAsync(TDb db, Guid correlationId, CancellationToken cancellationToken);
}

/// <summary>
/// The order saga's lock and load in one round trip: one <see cref="NpgsqlBatch"/> of three statements, read by hand and
/// attached to the context, instead of a lock statement and then EF Core's include query (about a quarter of the
/// Sequencer's sampled busy time in a burst profile; docs/performance.md).
/// </summary>
/// <remarks>
/// Three statements on purpose: under READ COMMITTED a statement that waited for a row lock sees the locked row's newest
/// version, but reads every other table with the snapshot it took before the wait. The clock and the KCIs are read by the
/// statements after the lock, each with a fresh snapshot, so they see whatever the previous holder of the lock committed,
/// and the clock never lies before that commit. The columns are listed here and in <see cref="SequencerDb"/>'s model; a unit
/// test fails when the model maps a column these lists do not read.
/// </remarks>
public sealed class OrderSequenceLoader : ISagaLoader<OrderSequence, SequencerDb>
{
    public const string SagaColumns =
        "correlation_id, current_state, entity_type, entity_id, supplier, conversation_id, next_sequence, skip_through, in_flight_kci_id, " +
        "ack_deadline, gap_deadline, blocked, parked, parked_at, last_command_id, created_at, updated_at, recovery_due";

    public const string KciColumns =
        "kci_id, order_id, sequence_number, arrival, status, update_type, payload_type, conversation_id, request_id, received_at, " +
        "released_at, handled_at, release_count, late, sequence_conflict, gap_before, body, recovered_from, trace_parent";

    /// <summary>One saga, for the saga's own messages: the batch load below with one key and nothing to insert.</summary>
    /// <remarks>No row locked means no saga, even if another transaction committed one (and its KCIs) a moment later.</remarks>
    public async Task<(OrderSequence? Instance, DateTimeOffset Now)> LockAndLoadAsync(SequencerDb db, Guid correlationId,
        CancellationToken cancellationToken)
    {
        var (orders, now) = await LockAndLoadManyAsync(db, [], [correlationId], cancellationToken);
        return (orders.GetValueOrDefault(correlationId), now);
    }

    /// <summary>
    /// The orders of a batch, in one round trip: <paramref name="starts"/> (the orders a message may create) inserted unless
    /// they exist, then every order of <paramref name="ids"/> locked, in key order, and loaded with its KCIs and the clock.
    /// </summary>
    /// <remarks>
    /// Both the inserts and the locks go in key order, so two batches (or a batch and a saga) that share orders wait for each
    /// other instead of deadlocking. <c>ON CONFLICT DO NOTHING</c> waits for a concurrent insert of the same order and then
    /// leaves it: the lock that follows takes it, so two first KCIs of one new order in two batches never fail on its key.
    /// </remarks>
    public async Task<(Dictionary<Guid, OrderSequence> Orders, DateTimeOffset Now)> LockAndLoadManyAsync(SequencerDb db,
        IReadOnlyCollection<OrderSequence> starts, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("Orders are locked and loaded only inside a transaction");
        var keys = ids.Distinct().Order().ToArray();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        if (starts.Count > 0)
        {
            var sorted = starts.DistinctBy(o => o.CorrelationId).OrderBy(o => o.CorrelationId).ToList();
            var insert = new NpgsqlBatchCommand($"""
                INSERT INTO {SequencerDb.Schema}.order_sequences (correlation_id, current_state, entity_type, entity_id, supplier, conversation_id,
                    next_sequence, skip_through, blocked, parked, created_at, updated_at)
                SELECT id, $5, entity_type, entity_id, supplier, conversation_id, 1, 0, false, false, now(), now()
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $6::text[]) AS s(id, entity_type, entity_id, supplier, conversation_id)
                ORDER BY id
                ON CONFLICT DO NOTHING
                """);
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. sorted.Select(o => o.CorrelationId)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sorted.Select(o => o.EntityType)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sorted.Select(o => o.EntityId)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sorted.Select(o => o.Supplier)] });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = OrderStates.Sequencing });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. sorted.Select(o => o.ConversationId)] });
            batch.BatchCommands.Add(insert);
        }
        batch.BatchCommands.Add(Command(
            $"SELECT {SagaColumns} FROM {SequencerDb.Schema}.order_sequences WHERE correlation_id = ANY($1) ORDER BY correlation_id FOR UPDATE", keys));
        batch.BatchCommands.Add(Command("SELECT clock_timestamp()"));
        batch.BatchCommands.Add(Command(
            $"SELECT {KciColumns} FROM {SequencerDb.Schema}.order_kcis WHERE order_id = ANY($1) ORDER BY order_id, kci_id", keys));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken); // the insert returns no result set
        var orders = new Dictionary<Guid, OrderSequence>(keys.Length);
        while (await reader.ReadAsync(cancellationToken))
        {
            var order = ReadOrder(reader);
            orders.Add(order.CorrelationId, order);
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var now = reader.GetFieldValue<DateTimeOffset>(0);

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var kci = ReadKci(reader);
            if (orders.TryGetValue(kci.OrderId, out var order))
                order.Kcis.Add(kci);
        }
        await reader.CloseAsync();

        foreach (var order in orders.Values)
            db.Attach(order); // tracked as loaded: the save compares with these values
        return (orders, now);
    }

    private static NpgsqlBatchCommand Command(string sql, Guid[]? ids = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        if (ids is not null)
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        return command;
    }

    private static OrderSequence ReadOrder(NpgsqlDataReader r) => new()
    {
        CorrelationId = r.GetGuid(0),
        CurrentState = r.GetString(1),
        EntityType = r.GetString(2),
        EntityId = r.GetString(3),
        Supplier = r.GetString(4),
        ConversationId = NullableString(r, 5),
        NextSequence = r.GetInt64(6),
        SkipThrough = r.GetInt64(7),
        InFlightKciId = r.IsDBNull(8) ? null : r.GetGuid(8),
        AckDeadline = NullableTime(r, 9),
        GapDeadline = NullableTime(r, 10),
        Blocked = r.GetBoolean(11),
        Parked = r.GetBoolean(12),
        ParkedAt = NullableTime(r, 13),
        LastCommandId = r.IsDBNull(14) ? null : r.GetGuid(14),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(15),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(16),
        RecoveryDue = NullableTime(r, 17),
    };

    private static SequencedKci ReadKci(NpgsqlDataReader r) => new()
    {
        KciId = r.GetGuid(0),
        OrderId = r.GetGuid(1),
        SequenceNumber = r.GetInt64(2),
        Arrival = r.GetInt32(3),
        Status = (KciStatus)r.GetInt32(4),
        UpdateType = r.GetString(5),
        PayloadType = NullableString(r, 6),
        ConversationId = r.GetString(7),
        RequestId = r.GetString(8),
        ReceivedAt = r.GetFieldValue<DateTimeOffset>(9),
        ReleasedAt = NullableTime(r, 10),
        HandledAt = NullableTime(r, 11),
        ReleaseCount = r.GetInt32(12),
        Late = r.GetBoolean(13),
        SequenceConflict = r.GetBoolean(14),
        GapBefore = r.GetInt64(15),
        Body = NullableString(r, 16),
        RecoveredFrom = NullableString(r, 17),
        TraceParent = NullableString(r, 18),
    };

    private static string? NullableString(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);
}
