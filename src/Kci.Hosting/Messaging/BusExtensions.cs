using Kci.Hosting.Persistence;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kci.Hosting.Messaging;

public static class BusExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ with publisher confirms (a send completes only once the broker confirmed it)
    /// and durable classic queues. <paramref name="endpoints"/> declares the service's receive endpoints, each with
    /// <see cref="KciReceiveEndpoint"/>, so the <see cref="EndpointMonitor"/> watches it.
    /// </summary>
    public static IHostApplicationBuilder AddKciBus(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? registrations = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator, RabbitMqOptions>? endpoints = null)
    {
        builder.Services.AddOptions<RabbitMqOptions>()
            .BindConfiguration(RabbitMqOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();

        builder.Services.AddOptions<BatchingOptions>()
            .BindConfiguration(BatchingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<EndpointMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EndpointMonitor>());
        builder.Services.AddReceiveEndpointObserver(services => services.GetRequiredService<EndpointMonitor>());
        builder.Services.AddHealthChecks().AddCheck<EndpointMonitor>("receive-endpoints", tags: [KciDefaults.ReadyTag]);

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry(); // no calls home: this machine talks to its broker and database only
            registrations?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.Host, (ushort)options.Port, options.VirtualHost, h =>
                {
                    h.Username(options.Username);
                    h.Password(options.Password);
                    h.PublisherConfirmation = true;
                    h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                });
                cfg.PrefetchCount = options.PrefetchCount;
                cfg.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
                endpoints?.Invoke(context, cfg, options);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // Start without waiting for the broker: readiness reports it, and the bus reconnects by itself.
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(15);
            // A message still in flight when its endpoint stops (shutdown, an endpoint restart) is cancelled after this
            // and goes back to its queue: never to the _error queue.
            o.ConsumerStopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }

    /// <summary>
    /// A receive endpoint of ours: on a queue producers send to by name (no type bindings), behind the one fault policy
    /// (<see cref="RetryExtensions.UseKciRetry"/>), and watched by the <see cref="EndpointMonitor"/>.
    /// </summary>
    /// <param name="batched">For an endpoint whose consumer hands its messages to a <see cref="TransactionBatcher{T}"/>: it
    /// fetches ahead and holds at once enough messages for the batches in progress and the next (<see cref="BatchingOptions"/>).</param>
    public static void KciReceiveEndpoint(this IRabbitMqBusFactoryConfigurator cfg, IBusRegistrationContext context, string queue,
        Action<IRabbitMqReceiveEndpointConfigurator> configure, bool batched = false)
    {
        context.GetRequiredService<EndpointMonitor>().Expect(queue);
        cfg.ReceiveEndpoint(queue, e =>
        {
            e.ConfigureConsumeTopology = false; // producers send to these queues by name
            if (batched)
            {
                var rabbit = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                var batching = context.GetRequiredService<IOptions<BatchingOptions>>().Value;
                e.PrefetchCount = batching.EndpointLimit(rabbit.PrefetchCount);
                e.ConcurrentMessageLimit = batching.EndpointLimit(rabbit.ConcurrentMessageLimit);
            }
            e.UseKciRetry(context);
            configure(e);
        });
    }
}
