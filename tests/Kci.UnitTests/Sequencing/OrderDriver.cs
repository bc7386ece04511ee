using Kci.Messages;
using Kci.Sequencer.Sequencing;

namespace Kci.UnitTests.Sequencing;

/// <summary>
/// Drives the release rules the way the saga and Handlers do, and records what reached Handlers in
/// which order. Handlers report each run handled, whole, unless told otherwise.
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

    /// <summary>The KCI's <c>KciReceived</c> faulted for good and was taken from its dead-letter queue.</summary>
    public SequencingOutcome DeadLetter(KciReceived kci)
    {
        _order ??= Resequencer.Start(kci, Now);
        return Run(Resequencer.DeadLettered(_order, kci, Now, _options));
    }

    /// <summary>Handlers report the whole in-flight run handled.</summary>
    public SequencingOutcome HandleInFlight() =>
        Run(Resequencer.Handled(Order, Resequencer.InFlightRun(Order)[^1].KciId, Now, Now, _options));

    /// <summary>Handlers report the in-flight run handled up to and including <paramref name="kciId"/>, and stopped there.</summary>
    public SequencingOutcome HandleThrough(Guid kciId) => Run(Resequencer.Handled(Order, kciId, Now, Now, _options));

    /// <summary>The releases Handlers got, one run each.</summary>
    public List<IReadOnlyList<SequencedKci>> Runs { get; } = [];

    public SequencingOutcome Elapse(TimeSpan time)
    {
        Now += time;
        return Order.GapDeadline is { } deadline && deadline <= Now
            ? Run(Resequencer.GapTimedOut(Order, Now, _options))
            : SequencingOutcome.Ignored;
    }

    public SequencingOutcome Fail() => Resequencer.Failed(Order, Order.InFlightKciId!.Value, Now);
    /// <summary>Retries the KCI that is blocked now, as an operator who just looked at the order would.</summary>
    public SequencingOutcome Retry() => Retry(Order.InFlightKciId ?? Guid.NewGuid());

    public SequencingOutcome Retry(Guid kciId, Guid? commandId = null) => Run(Resequencer.RetryBlocked(Order,
        new RetryBlockedKci { OrderId = Order.CorrelationId, KciId = kciId, CommandId = commandId ?? Guid.NewGuid(), Operator = "test", Reason = "test", RequestedAt = Now },
        Now, _options));

    /// <summary>Skips what holds the order now: the blocked KCI, or else the gap it waits for.</summary>
    public SequencingOutcome Skip() => Order.Blocked
        ? Skip(new SkipKci { OrderId = Order.CorrelationId, KciId = Order.InFlightKciId, CommandId = Guid.NewGuid(), Operator = "test", Reason = "test", RequestedAt = Now })
        : Skip(new SkipKci { OrderId = Order.CorrelationId, GapFrom = Resequencer.CurrentGap(Order)?.From, GapTo = Resequencer.CurrentGap(Order)?.To,
            CommandId = Guid.NewGuid(), Operator = "test", Reason = "test", RequestedAt = Now });

    public SequencingOutcome Skip(SkipKci command) => Run(Resequencer.Skip(Order, command, Now, _options));

    /// <summary>Unparks the parking there is now.</summary>
    public SequencingOutcome Unpark() => Unpark(Order.ParkedAt ?? Now);

    public SequencingOutcome Unpark(DateTimeOffset parkedAt, Guid? commandId = null) => Run(Resequencer.Unpark(Order,
        new UnparkOrder { OrderId = Order.CorrelationId, ParkedAt = parkedAt, CommandId = commandId ?? Guid.NewGuid(), Operator = "test", Reason = "test", RequestedAt = Now },
        Now, _options));

    private SequencingOutcome Run(SequencingOutcome outcome)
    {
        Gaps.AddRange(outcome.Gaps);
        if (outcome.Released.Count == 0)
            return outcome;
        Dispatched.AddRange(outcome.Released);
        Runs.Add([.. outcome.Released]);
        if (AutoHandle)
            Run(Resequencer.Handled(Order, outcome.Released[^1].KciId, Now, Now, _options));
        return outcome;
    }
}
