using Microsoft.EntityFrameworkCore;
using Kci.Handlers.Persistence;

namespace Kci.Handlers.Operations;

/// <summary>An order as the sequencer sees it: what is next, what is held, whether it is blocked or parked.</summary>
public sealed record SequencerView(
    string EntityType, string EntityId, string State, long NextSequence, Guid? InFlightKciId, long? InFlightSequence,
    DateTimeOffset? GapDeadline, bool Blocked, bool Parked, long[] HeldNumbers, DateTimeOffset UpdatedAt);

/// <summary>
/// (Column names are snake case, as the naming convention maps them onto <see cref="Row"/>.)
/// Reads the sequencer's tables (schema <c>sequencer</c>, same database) read-only, so operators see both
/// sides of an order in one place. Nothing here writes to them: changes go to the saga as commands.
/// </summary>
public static class SequencerReader
{
    private sealed record Row(
        Guid CorrelationId, string EntityType, string EntityId, string CurrentState, long NextSequence, Guid? InFlightKciId,
        long? InFlightSequence, DateTimeOffset? GapDeadline, bool Blocked, bool Parked, long[] HeldNumbers, DateTimeOffset UpdatedAt);

    private const string Select = """
        SELECT o.correlation_id AS correlation_id, o.entity_type AS entity_type, o.entity_id AS entity_id,
               o.current_state AS current_state, o.next_sequence AS next_sequence, o.in_flight_kci_id AS in_flight_kci_id,
               (SELECT k.sequence_number FROM sequencer.order_kcis k WHERE k.kci_id = o.in_flight_kci_id) AS in_flight_sequence,
               o.gap_deadline AS gap_deadline, o.blocked AS blocked, o.parked AS parked,
               ARRAY(SELECT k.sequence_number FROM sequencer.order_kcis k WHERE k.order_id = o.correlation_id AND k.status = 0
                     ORDER BY k.sequence_number) AS held_numbers,
               o.updated_at AS updated_at
        FROM sequencer.order_sequences o
        """;

    public static async Task<SequencerView?> ForOrderAsync(HandlersDb db, Guid orderId, CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<Row>(Select + " WHERE o.correlation_id = {0}", orderId).ToListAsync(cancellationToken))
            .Select(ToView).SingleOrDefault();

    /// <summary>Orders waiting on a gap, blocked, parked, or holding KCIs; the longest waiting first.</summary>
    public static async Task<List<SequencerView>> HeldAsync(HandlersDb db, DateTimeOffset? updatedSince, int page, int pageSize,
        CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<Row>(Select + "\n" + """
             WHERE (o.blocked OR o.parked OR o.gap_deadline IS NOT NULL
                    OR EXISTS (SELECT 1 FROM sequencer.order_kcis k WHERE k.order_id = o.correlation_id AND k.status = 0))
               AND o.updated_at >= {0}
             ORDER BY o.updated_at, o.correlation_id LIMIT {1} OFFSET {2}
             """, updatedSince ?? DateTimeOffset.MinValue, pageSize, (page - 1) * pageSize).ToListAsync(cancellationToken))
            .Select(ToView).ToList();

    private static SequencerView ToView(Row r) => new(r.EntityType, r.EntityId, r.CurrentState, r.NextSequence, r.InFlightKciId,
        r.InFlightSequence, r.GapDeadline, r.Blocked, r.Parked, r.HeldNumbers, r.UpdatedAt);
}
