using Kci.Handlers.Consumers;
using Kci.Handlers.Notifications;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using Kci.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Extensions;

internal static class HandlersServiceExtensions
{
    public static IHostApplicationBuilder AddHandlersServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<KciRecorder>();
        builder.Services.AddScoped<OperatorCommands>(); // for the operations API and the console alike
        builder.Services.AddTransactionBatcher<InformationalKciReleased, RecordInformationalKci>();
        builder.Services.AddTransactionBatcher<ActionRequiredKciReleased, RecordActionRequiredKci>();
        builder.Services.AddTransactionBatcher<ErrorKciReleased, RecordGatewayError>();
        builder.Services.AddTransactionBatcher<UnrecognisedKciReleased, KeepUnrecognisedKci>();
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        builder.Services.AddSingleton<NotificationOutbox>();
        builder.Services.AddHttpClient(NotificationDispatcher.HttpClientName);
        builder.Services.AddHostedService<NotificationDispatcher>();
        builder.Services.AddHostedService<DeadLetters.DeadLetterIngest>();
        builder.Services.AddHostedService<DeadLetters.DeadLetterGauge>();
        builder.AddKciDatabase<HandlersDb>(HandlersDb.Schema, async (db, cancellationToken) =>
        {
            await db.Timeline.AnyAsync(t => t.KciId == Guid.Empty, cancellationToken);
            await db.Orders.FindAsync([Guid.Empty], cancellationToken);
        });
        builder.AddKciBus(
            bus =>
            {
                // Releases are recorded in batches, one transaction each (KciRecorder).
                bus.AddConsumer<BatchedConsumer<InformationalKciReleased>>();
                bus.AddConsumer<BatchedConsumer<ActionRequiredKciReleased>>();
                bus.AddConsumer<BatchedConsumer<ErrorKciReleased>>();
                bus.AddConsumer<BatchedConsumer<UnrecognisedKciReleased>>();
                bus.AddConsumer<RecordSequenceGap>();
            },
            (context, cfg, rabbit) =>
            {
                // Each update type has its own queue; the sequencer sends to them by name.
                Endpoint<BatchedConsumer<InformationalKciReleased>>(KciQueues.Informational, batched: true);
                Endpoint<BatchedConsumer<ActionRequiredKciReleased>>(KciQueues.ActionRequired, batched: true);
                Endpoint<BatchedConsumer<ErrorKciReleased>>(KciQueues.Error, batched: true);
                Endpoint<BatchedConsumer<UnrecognisedKciReleased>>(KciQueues.Unrecognised, batched: true);
                Endpoint<RecordSequenceGap>(KciQueues.Gaps);

                void Endpoint<TConsumer>(string queue, bool batched = false) where TConsumer : class, IConsumer =>
                    cfg.KciReceiveEndpoint(context, queue, e => e.ConfigureConsumer<TConsumer>(context), batched);
            });
        return builder;
    }
}
