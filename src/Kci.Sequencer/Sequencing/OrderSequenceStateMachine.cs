using Kci.Messages;
using Kci.Sequencer.Persistence;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// One saga per order, for everything but the hot path: deadlines, dead letters, handling faults and operator commands.
/// Every event runs a rule of <see cref="Resequencer"/> and dispatches its outcome through the outbox; the state shows an
/// operator whether the order flows, is blocked or is parked. New KCIs and acknowledgements, the bulk of the traffic, go
/// through <see cref="BatchSequencer"/> with the same rules, on the same rows and under the same locks.
/// </summary>
public sealed class OrderSequenceStateMachine : MassTransitStateMachine<OrderSequence>
{
    public OrderSequenceStateMachine(TimeProvider clock, IOptionsMonitor<SequencerOptions> options, OutcomeDispatcher dispatcher,
        ILogger<OrderSequenceStateMachine> logger)
    {
        _clock = clock;
        InstanceState(x => x.CurrentState);

        Event(() => GapTimeoutElapsed, e =>
        {
            e.CorrelateById(m => m.Message.OrderId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => AckTimeoutElapsed, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => KciDeadLettered, e =>
        {
            e.CorrelateById(m => m.Message.OrderId);
            e.SetSagaFactory(m => Resequencer.Start(m.Message.Kci, Now(m)));
        });

        Event(() => InformationalFailed, e => { e.CorrelateById(m => m.Message.Message.Kcis[0].OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ActionRequiredFailed, e => { e.CorrelateById(m => m.Message.Message.Kcis[0].OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ErrorFailed, e => { e.CorrelateById(m => m.Message.Message.Kcis[0].OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => UnrecognisedFailed, e => { e.CorrelateById(m => m.Message.Message.Kcis[0].OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RetryRequested, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SkipRequested, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => UnparkRequested, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RecoverRequested, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });

        Initially(
            When(KciDeadLettered)
                .Then(c => DeadLettered(c))
                .Then(Settle));

        DuringAny(
            When(GapTimeoutElapsed)
                .Then(c => Apply(c, Resequencer.GapTimedOut(c.Saga, Now(c), options.CurrentValue)))
                .Then(Settle),
            When(AckTimeoutElapsed)
                .Then(c => Apply(c, Resequencer.AckTimedOut(c.Saga, c.Message.KciId, Now(c), options.CurrentValue)))
                .Then(Settle),
            When(KciDeadLettered)
                .Then(c => DeadLettered(c))
                .Then(Settle),
            When(InformationalFailed).Then(c => Block(c, c.Message.Message.Kcis[0], c.Message.Exceptions)).Then(Settle),
            When(ActionRequiredFailed).Then(c => Block(c, c.Message.Message.Kcis[0], c.Message.Exceptions)).Then(Settle),
            When(ErrorFailed).Then(c => Block(c, c.Message.Message.Kcis[0], c.Message.Exceptions)).Then(Settle),
            When(UnrecognisedFailed).Then(c => Block(c, c.Message.Message.Kcis[0], c.Message.Exceptions)).Then(Settle));

        // Operator commands: allowed in any state; each names its target, and a rule ignores a command whose target no longer
        // holds the order, or that it applied already.
        DuringAny(
            When(RetryRequested)
                .Then(c => Operate(c, "retry", c.Message.Operator, c.Message.Reason, Resequencer.RetryBlocked(c.Saga, c.Message, Now(c), options.CurrentValue)))
                .Then(Settle),
            When(SkipRequested)
                .Then(c => Operate(c, "skip", c.Message.Operator, c.Message.Reason, Resequencer.Skip(c.Saga, c.Message, Now(c), options.CurrentValue)))
                .Then(Settle),
            When(UnparkRequested)
                .Then(c => Operate(c, "unpark", c.Message.Operator, c.Message.Reason, Resequencer.Unpark(c.Saga, c.Message, Now(c), options.CurrentValue)))
                .Then(Settle),
            When(RecoverRequested)
                .Then(c => Operate(c, "recover", c.Message.Operator, c.Message.Reason, Resequencer.RecoverNow(c.Saga, c.Message, Now(c), options.CurrentValue)))
                .Then(Settle));

        void Apply<T>(BehaviorContext<OrderSequence, T> context, SequencingOutcome outcome) where T : class
        {
            if (outcome.IsRedispatch && context.Saga.InFlightKciId is { } kciId)
                Log.Redispatched(logger, kciId, $"{context.Saga.EntityType}/{context.Saga.EntityId}", context.Saga.ConversationId);
            dispatcher.Dispatch(context.GetPayload<SequencerDb>(), context.Saga, outcome, Now(context));
        }

        void DeadLettered(BehaviorContext<OrderSequence, KciDeadLettered> context)
        {
            var kci = context.Message.Kci;
            var outcome = Resequencer.DeadLettered(context.Saga, kci, Now(context), options.CurrentValue);
            if (!outcome.IsIgnored)
                Log.DeadLettered(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), context.Message.Queue, context.Message.Reason ?? "unknown", kci.ConversationId);
            Apply(context, outcome);
        }

        void Block<T>(BehaviorContext<OrderSequence, T> context, ReleasedKci kci, ExceptionInfo[] exceptions) where T : class
        {
            var outcome = Resequencer.Failed(context.Saga, kci.KciId, Now(context));
            if (!outcome.IsIgnored)
                Log.Blocked(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), exceptions.FirstOrDefault()?.ExceptionType ?? "unknown", kci.ConversationId);
        }

        void Operate<T>(BehaviorContext<OrderSequence, T> context, string command, string who, string why, SequencingOutcome outcome) where T : class
        {
            var orderKey = $"{context.Saga.EntityType}/{context.Saga.EntityId}";
            Log.OperatorCommand(logger, command, orderKey, who, why, outcome.IsIgnored ? $"ignored: {outcome.IgnoredReason ?? "nothing to do"}" : "applied");
            Apply(context, outcome);
        }

        static void Settle(SagaConsumeContext<OrderSequence> context) => context.Saga.Settle();
    }

    /// <summary>The database's clock for this message (read under the saga's lock), so every instance stores one time.</summary>
    private DateTimeOffset Now(PipeContext context) =>
        context.TryGetPayload<TransactionTime>(out var time) && time.Now is { } now ? now : _clock.GetUtcNow();

    private readonly TimeProvider _clock;

    /// <summary>KCIs flow: each released as soon as its turn comes.</summary>
    public State Sequencing { get; private set; } = null!;

    /// <summary>Handling of the in-flight KCI failed for good; an operator retries or skips it.</summary>
    public State Blocked { get; private set; } = null!;

    /// <summary>Too many KCIs held; an operator unparks the order.</summary>
    public State Parked { get; private set; } = null!;

    public Event<GapTimeoutElapsed> GapTimeoutElapsed { get; private set; } = null!;
    public Event<AckTimeoutElapsed> AckTimeoutElapsed { get; private set; } = null!;
    public Event<KciDeadLettered> KciDeadLettered { get; private set; } = null!;

    // Handling failed for good (retries exhausted): MassTransit sends the fault to the saga's queue. A run faults only at its
    // first KCI: Handlers commit and acknowledge the KCIs before one that fails, and the rest goes again from it.
    public Event<Fault<InformationalKciReleased>> InformationalFailed { get; private set; } = null!;
    public Event<Fault<ActionRequiredKciReleased>> ActionRequiredFailed { get; private set; } = null!;
    public Event<Fault<ErrorKciReleased>> ErrorFailed { get; private set; } = null!;
    public Event<Fault<UnrecognisedKciReleased>> UnrecognisedFailed { get; private set; } = null!;

    public Event<RetryBlockedKci> RetryRequested { get; private set; } = null!;
    public Event<SkipKci> SkipRequested { get; private set; } = null!;
    public Event<UnparkOrder> UnparkRequested { get; private set; } = null!;
    public Event<RecoverGap> RecoverRequested { get; private set; } = null!;
}
