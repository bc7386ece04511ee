using System.ComponentModel.DataAnnotations;

namespace Kci.Sequencer.Sequencing;

public sealed class SequencerOptions
{
    public const string SectionName = "Sequencer";

    /// <summary>How long a held KCI waits for a missing number before the gap is skipped.</summary>
    public TimeSpan GapTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Per-supplier overrides of <see cref="GapTimeout"/>, by supplier id.</summary>
    public Dictionary<string, TimeSpan> SupplierGapTimeouts { get; set; } = [];

    /// <summary>KCIs held behind a missing number, per order, beyond which the order is parked.</summary>
    [Range(1, 100_000)] public int MaxHeldPerOrder { get; set; } = 100;

    /// <summary>
    /// KCIs released to Handlers in one message at most: an order's held KCIs that are due one after another go as a run,
    /// applied in order and acknowledged once (docs/ordering.md). 1 releases one KCI at a time.
    /// </summary>
    [Range(1, 1000)] public int MaxRunLength { get; set; } = 50;

    /// <summary>
    /// How long the in-flight KCI waits for Handlers' acknowledgement before it is dispatched again (its release or its
    /// acknowledgement may have been lost or dead-lettered). Long enough for a backlog in Handlers' queues to drain: a
    /// re-dispatch is harmless (Handlers deduplicate and acknowledge again), only wasted work.
    /// </summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After the Sequencer could not work (its database or broker away, or the process down), no deadline passes for
    /// this long: the gateway needs time to deliver again what it could not deliver, and the queues time to drain, before
    /// a missing number counts as a gap or an acknowledgement as lost.
    /// </summary>
    public TimeSpan GraceAfterOutage { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a gap waits before the gateway's order read is asked for the missing numbers (and again after each attempt
    /// that did not fill it, until the gap times out). Default: a quarter of the gap's timeout. Only when the gateway is
    /// configured (<c>Gateway:BaseUrl</c>).
    /// </summary>
    public TimeSpan? GapRecoveryAfter { get; set; }

    /// <summary>Whether gaps are recovered from the gateway's order read: set from the <c>Gateway</c> section, not bound.</summary>
    public bool GapRecovery { get; set; }

    public TimeSpan GapRecoveryAfterFor(string supplier) => GapRecoveryAfter ?? GapTimeoutFor(supplier) / 4;

    /// <summary>How often stored gap deadlines are looked at.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan GapTimeoutFor(string supplier) =>
        SupplierGapTimeouts.TryGetValue(supplier, out var timeout) ? timeout : GapTimeout;
}
