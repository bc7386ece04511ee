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

    /// <summary>How often stored gap deadlines are looked at.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan GapTimeoutFor(string supplier) =>
        SupplierGapTimeouts.TryGetValue(supplier, out var timeout) ? timeout : GapTimeout;
}
