namespace Kci.Sequencer.Persistence;

/// <summary>
/// <c>sequencer.order_overview</c>: one row per order as the sequencer sees it, the contract through which the operations API
/// (Handlers) reads the sequencer. Created and changed only by the Sequencer's migrations.
/// <c>waiting_reason</c> is what the order waits for, if anything: parked, blocked (a KCI failed for good), dead-letter (a KCI
/// lies in a dead-letter queue), gap (a missing number), acknowledgement (the in-flight KCI's), or null.
/// </summary>
public static class OrderOverview
{
    public const string Name = "order_overview";

    /// <summary>The view as it is now: <c>recovery_due</c> (migration GapRecovery) added last, as a view's columns only grow at its end.</summary>
    public const string Create = Columns + ", o.recovery_due\n" + From;

    /// <summary>The view before gap recovery, as migration OutagesAndTargetedCommands created it (and GapRecovery's Down restores it).</summary>
    public const string CreateBeforeGapRecovery = Columns + "\n" + From;

    private const string Columns = """
        CREATE OR REPLACE VIEW sequencer.order_overview AS
        SELECT o.correlation_id, o.entity_type, o.entity_id, o.supplier, o.current_state, o.next_sequence, o.skip_through,
               o.in_flight_kci_id, f.sequence_number AS in_flight_sequence, f.released_at AS in_flight_since,
               f.release_count AS in_flight_dispatches, o.ack_deadline, o.gap_deadline, o.blocked, o.parked, o.parked_at,
               CASE WHEN o.blocked THEN o.in_flight_kci_id END AS blocked_kci_id,
               ARRAY(SELECT k.sequence_number FROM sequencer.order_kcis k WHERE k.order_id = o.correlation_id AND k.status = 0
                     ORDER BY k.sequence_number) AS held_numbers,
               ARRAY(SELECT k.sequence_number FROM sequencer.order_kcis k WHERE k.order_id = o.correlation_id AND k.status = 5
                     ORDER BY k.sequence_number) AS dead_lettered_numbers,
               ARRAY(SELECT k.kci_id FROM sequencer.order_kcis k WHERE k.order_id = o.correlation_id AND k.status = 5
                     ORDER BY k.sequence_number) AS dead_lettered_kci_ids,
               g.gap_from, g.gap_to,
               CASE WHEN o.parked THEN 'parked'
                    WHEN o.blocked THEN 'blocked'
                    WHEN EXISTS (SELECT 1 FROM sequencer.order_kcis k WHERE k.order_id = o.correlation_id AND k.status = 5
                                 AND k.sequence_number >= o.next_sequence) THEN 'dead-letter'
                    WHEN o.gap_deadline IS NOT NULL THEN 'gap'
                    WHEN o.in_flight_kci_id IS NOT NULL THEN 'acknowledgement'
               END AS waiting_reason,
               CASE WHEN o.in_flight_kci_id IS NOT NULL AND NOT o.blocked AND NOT o.parked THEN f.released_at
                    ELSE o.updated_at END AS waiting_since,
               o.created_at, o.updated_at
        """;

    private const string From = """
        FROM sequencer.order_sequences o
        LEFT JOIN sequencer.order_kcis f ON f.kci_id = o.in_flight_kci_id
        LEFT JOIN LATERAL (
            -- The missing numbers the order waits for, as Resequencer.CurrentGap has them: what a skip of a gap must name.
            SELECT GREATEST(o.next_sequence, o.skip_through + 1) AS gap_from, min(k.sequence_number) - 1 AS gap_to
            FROM sequencer.order_kcis k
            WHERE o.gap_deadline IS NOT NULL AND k.order_id = o.correlation_id AND k.status = 0 AND k.sequence_number >= o.next_sequence
            HAVING GREATEST(o.next_sequence, o.skip_through + 1) <= min(k.sequence_number) - 1
        ) g ON true
        """;

    public const string Drop = "DROP VIEW IF EXISTS sequencer.order_overview";
}
