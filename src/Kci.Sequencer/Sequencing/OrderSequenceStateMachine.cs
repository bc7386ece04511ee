using Kci.Messages;
using Kci.Sequencer.Persistence;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Kci.Sequencer.Sequencing;

/// <summary>
/// One saga per order. Every event runs a rule of <see cref="Resequencer"/> and dispatches its outcome
/// through the outbox; the state shows an operator whether the order flows, is blocked or is parked.
/// </summary>
public sealed class OrderSequenceStateMachine : MassTransitStateMachine<OrderSequence>
{
    public OrderSequenceStateMachine(TimeProvider clock, IOptionsMonitor<SequencerOptions> options, OutcomeDispatcher dispatcher,
        ILogger<OrderSequenceStateMachine> logger)
    {
        InstanceState(x => x.CurrentState);

        Event(() => KciReceived, e =>
        {
            e.CorrelateById(m => m.Message.OrderId);
            e.SetSagaFactory(m => Resequencer.Start(m.Message, clock.GetUtcNow()));
        });
        Event(() => KciHandled, e =>
        {
            e.CorrelateById(m => m.Message.OrderId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => GapTimeoutElapsed, e =>
        {
            e.CorrelateById(m => m.Message.OrderId);
            e.OnMissingInstance(m => m.Discard());
        });

        Initially(
            When(KciReceived)
                .Then(c => Apply(c, Resequencer.Accept(c.Saga, c.Message, clock.GetUtcNow(), options.CurrentValue)))
                .Then(c => LogHeld(c))
                .Then(Settle));

        DuringAny(
            When(KciReceived)
                .Then(c => Apply(c, Resequencer.Accept(c.Saga, c.Message, clock.GetUtcNow(), options.CurrentValue)))
                .Then(c => LogHeld(c))
                .Then(Settle),
            When(KciHandled)
                .Then(c => Apply(c, Resequencer.Handled(c.Saga, c.Message.KciId, c.Message.HandledAt, clock.GetUtcNow(), options.CurrentValue)))
                .Then(Settle),
            When(GapTimeoutElapsed)
                .Then(c => Apply(c, Resequencer.GapTimedOut(c.Saga, clock.GetUtcNow(), options.CurrentValue)))
                .Then(Settle));

        void Apply<T>(BehaviorContext<OrderSequence, T> context, SequencingOutcome outcome) where T : class
        {
            if (outcome.IsDuplicate && context.Message is KciReceived duplicate)
                Log.Duplicate(logger, duplicate.KciId, duplicate.SequenceNumber, duplicate.Order.ToString(), duplicate.RequestId);
            dispatcher.Dispatch(context.GetPayload<SequencerDb>(), context.Saga, outcome, clock.GetUtcNow());
        }

        // The rules own the Blocked and Parked flags; the state mirrors them so the saga table reads plainly.
        void Settle(SagaConsumeContext<OrderSequence> context) =>
            context.Saga.CurrentState = (context.Saga.Parked ? Parked : context.Saga.Blocked ? Blocked : Sequencing).Name;

        void LogHeld(BehaviorContext<OrderSequence, KciReceived> context)
        {
            var kci = context.Saga.Kcis.Find(k => k.KciId == context.Message.KciId);
            if (kci?.Status == KciStatus.Held)
                Log.Held(logger, kci.KciId, kci.SequenceNumber, context.Message.Order.ToString(), context.Saga.NextSequence, kci.ConversationId);
        }
    }

    /// <summary>KCIs flow: each released as soon as its turn comes.</summary>
    public State Sequencing { get; private set; } = null!;

    /// <summary>Handling of the in-flight KCI failed for good; an operator retries or skips it.</summary>
    public State Blocked { get; private set; } = null!;

    /// <summary>Too many KCIs held; an operator unparks the order.</summary>
    public State Parked { get; private set; } = null!;

    public Event<KciReceived> KciReceived { get; private set; } = null!;
    public Event<KciHandled> KciHandled { get; private set; } = null!;
    public Event<GapTimeoutElapsed> GapTimeoutElapsed { get; private set; } = null!;
}
