using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Messages;
using Kci.Sequencer.Consumers;
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
        builder.Services.AddSingleton<OrderSequenceLoader>();
        builder.Services.AddSingleton<ISagaLoader<OrderSequence, SequencerDb>>(services => services.GetRequiredService<OrderSequenceLoader>());
        builder.Services.AddScoped<BatchSequencer>();
        builder.Services.AddTransactionBatcher<KciReceived, SequenceArrivedKcis>();
        builder.Services.AddTransactionBatcher<KciHandled, ReleaseNextAfterHandled>();
        builder.Services.AddHostedService<DeadlineSweeper>();
        builder.Services.AddHostedService<WaitingOrdersGauge>();

        builder.AddKciDatabase<SequencerDb>(SequencerDb.Schema, async (db, cancellationToken) =>
        {
            await new OrderSequenceLoader().LockAndLoadAsync(db, Guid.Empty, cancellationToken);
            db.Orders.Add(new OrderSequence { CorrelationId = Guid.Empty, CurrentState = "Warmup", EntityType = "", EntityId = "", Supplier = "" });
            await db.SaveChangesAsync(cancellationToken); // rolled back by the warm-up
        });
        builder.AddKciBus(
            bus =>
            {
                bus.AddConsumer<BatchedConsumer<KciReceived>>();
                bus.AddConsumer<BatchedConsumer<KciHandled>>();
                bus.AddSagaStateMachine<OrderSequenceStateMachine, OrderSequence>()
                    .Repository(r =>
                    {
                        r.RegisterSagaRepository<OrderSequence, SequencerDb, SagaConsumeContextFactory<SequencerDb, OrderSequence>,
                            PostgresSagaRepository<OrderSequence, SequencerDb>>();
                        r.RegisterQuerySagaRepository<OrderSequence, PostgresSagaRepository<OrderSequence, SequencerDb>>();
                        r.RegisterLoadSagaRepository<OrderSequence, PostgresSagaRepository<OrderSequence, SequencerDb>>();
                    });
            },
            (context, cfg, rabbit) =>
            {
                // Two queues: new KCIs (and gap deadlines), and the acknowledgements and commands that move orders on. New KCIs
                // and acknowledgements, the hot path, go in batches (BatchSequencer); the saga takes the rest.
                cfg.KciReceiveEndpoint(context, KciQueues.Sequencer, e =>
                {
                    e.ConfigureConsumer<BatchedConsumer<KciReceived>>(context);
                    e.ConfigureSaga<OrderSequence>(context);
                }, batched: true);
                cfg.KciReceiveEndpoint(context, KciQueues.SequencerControl, e =>
                {
                    e.ConfigureConsumer<BatchedConsumer<KciHandled>>(context);
                    e.ConfigureSaga<OrderSequence>(context);
                }, batched: true);
            });
        return builder;
    }
}
