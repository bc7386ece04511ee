using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

/// <summary>
/// Drives the release rules the way the saga and Handlers do, and records what reached Handlers in
/// which order. Handlers report each release handled unless told otherwise.
/// </summary>
internal sealed class OrderDriver
{
    private readonly SequencerOptions _options;
    private OrderSequence? _order;

    public OrderDriver(SequencerOptions? options = null, KciBuilder? builder = null)
    {
        _options = options ?? new SequencerOptions();
        Builder = builder ?? new KciBuilder();
    }

    public KciBuilder Builder { get; }
    public DateTimeOffset Now { get; set; } = KciBuilder.T0;
    public bool AutoHandle { get; set; } = true;
    public List<SequencedKci> Dispatched { get; } = [];
    public List<SkippedGap> Gaps { get; } = [];
    public OrderSequence Order => _order ?? throw new InvalidOperationException("no KCI yet");

    public IEnumerable<long> DispatchedNumbers => Dispatched.Select(k => k.SequenceNumber);

    public SequencingOutcome Receive(KciReceived kci)
    {
        _order ??= Resequencer.Start(kci, Now);
        return Run(Resequencer.Accept(_order, kci, Now, _options));
    }

    public SequencingOutcome Receive(long sequenceNumber) => Receive(Builder.Kci(sequenceNumber));

    public SequencingOutcome HandleInFlight() =>
        Run(Resequencer.Handled(Order, Order.InFlightKciId!.Value, Now, Now, _options));

    public SequencingOutcome Elapse(TimeSpan time)
    {
        Now += time;
        return Order.GapDeadline is { } deadline && deadline <= Now
            ? Run(Resequencer.GapTimedOut(Order, Now, _options))
            : SequencingOutcome.Ignored;
    }

    public SequencingOutcome Fail() => Resequencer.Failed(Order, Order.InFlightKciId!.Value, Now);
    public SequencingOutcome Retry() => Run(Resequencer.RetryBlocked(Order, Now, _options));
    public SequencingOutcome Skip() => Run(Resequencer.Skip(Order, Now, _options));
    public SequencingOutcome Unpark() => Run(Resequencer.Unpark(Order, Now, _options));

    private SequencingOutcome Run(SequencingOutcome outcome)
    {
        Gaps.AddRange(outcome.Gaps);
        foreach (var kci in outcome.Released)
        {
            Dispatched.Add(kci);
            if (AutoHandle)
                Run(Resequencer.Handled(Order, kci.KciId, Now, Now, _options));
        }
        return outcome;
    }
}
