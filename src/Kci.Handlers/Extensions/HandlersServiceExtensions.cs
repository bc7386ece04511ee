using Kci.Handlers.Consumers;
using Kci.Handlers.Notifications;
using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Hosting.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Extensions;

internal static class HandlersServiceExtensions
{
    public static IHostApplicationBuilder AddHandlersServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<KciRecorder>();
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        builder.Services.AddSingleton<NotificationOutbox>();
        builder.Services.AddHttpClient(NotificationDispatcher.HttpClientName);
        builder.Services.AddHostedService<NotificationDispatcher>();
        builder.Services.AddHostedService<DeadLetters.DeadLetterIngest>();
        builder.AddKciDatabase<HandlersDb>(HandlersDb.Schema, async (db, cancellationToken) =>
        {
            await db.Timeline.AnyAsync(t => t.KciId == Guid.Empty, cancellationToken);
            await db.Orders.FindAsync([Guid.Empty], cancellationToken);
        });
        builder.AddKciBus(
            bus =>
            {
                bus.AddConsumer<RecordInformationalKci>();
                bus.AddConsumer<RecordActionRequiredKci>();
                bus.AddConsumer<RecordGatewayError>();
                bus.AddConsumer<KeepUnrecognisedKci>();
                bus.AddConsumer<RecordSequenceGap>();
            },
            (context, cfg, rabbit) =>
            {
                // Each update type has its own queue; the sequencer sends to them by name.
                Endpoint<RecordInformationalKci>(KciQueues.Informational);
                Endpoint<RecordActionRequiredKci>(KciQueues.ActionRequired);
                Endpoint<RecordGatewayError>(KciQueues.Error);
                Endpoint<KeepUnrecognisedKci>(KciQueues.Unrecognised);
                Endpoint<RecordSequenceGap>(KciQueues.Gaps);

                void Endpoint<TConsumer>(string queue) where TConsumer : class, IConsumer =>
                    cfg.KciReceiveEndpoint(context, queue, e => e.ConfigureConsumer<TConsumer>(context));
            });
        return builder;
    }
}
