using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Sequencer.Persistence;
using Kci.Sequencer.Sequencing;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;

namespace Kci.Sequencer.Extensions;

internal static class SequencerServiceExtensions
{
    public static IHostApplicationBuilder AddSequencerServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SequencerOptions>()
            .BindConfiguration(SequencerOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.GapTimeout > TimeSpan.Zero, "Sequencer:GapTimeout must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutcomeDispatcher>();
        builder.Services.AddSingleton<ISagaLoader<OrderSequence, SequencerDb>, OrderSequenceLoader>();
        builder.Services.AddHostedService<DeadlineSweeper>();

        builder.AddKciDatabase<SequencerDb>(SequencerDb.Schema, async (db, cancellationToken) =>
        {
            await new OrderSequenceLoader().LockAndLoadAsync(db, Guid.Empty, cancellationToken);
            db.Orders.Add(new OrderSequence { CorrelationId = Guid.Empty, CurrentState = "Warmup", EntityType = "", EntityId = "", Supplier = "" });
            await db.SaveChangesAsync(cancellationToken); // rolled back by the warm-up
        });
        builder.AddKciBus(
            bus => bus.AddSagaStateMachine<OrderSequenceStateMachine, OrderSequence>()
                .Repository(r =>
                {
                    r.RegisterSagaRepository<OrderSequence, SequencerDb, SagaConsumeContextFactory<SequencerDb, OrderSequence>,
                        PostgresSagaRepository<OrderSequence, SequencerDb>>();
                    r.RegisterQuerySagaRepository<OrderSequence, PostgresSagaRepository<OrderSequence, SequencerDb>>();
                    r.RegisterLoadSagaRepository<OrderSequence, PostgresSagaRepository<OrderSequence, SequencerDb>>();
                }),
            (context, cfg, rabbit) =>
            {
                // The same sagas on two queues: new KCIs, and the acknowledgements and commands that move orders on.
                foreach (var queue in (string[])[KciQueues.Sequencer, KciQueues.SequencerControl])
                {
                    cfg.KciReceiveEndpoint(context, queue, e => e.ConfigureSaga<OrderSequence>(context));
                }
            });
        return builder;
    }
}
