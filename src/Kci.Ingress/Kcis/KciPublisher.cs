using Kci.Hosting;
using Kci.Hosting.Messaging;
using Kci.Messages;
using MassTransit;
using Polly;
using Polly.Retry;
using Microsoft.Extensions.Options;

namespace Kci.Ingress.Kcis;

/// <summary>The broker did not confirm within the bound: the gateway is answered 503 and sends the KCI again.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Sends <see cref="KciReceived"/> as a persistent message to the sequencer's durable queue and returns
/// only once RabbitMQ confirmed it (publisher confirms), or throws <see cref="BrokerUnavailableException"/>
/// when no confirm came within <see cref="IngressOptions.ConfirmTimeout"/>. A send the broker refused at once
/// (a channel closed under it, say) is tried again with a short jittered backoff inside that bound.
/// </summary>
public sealed class KciPublisher(IBus bus, IOptions<IngressOptions> options)
{
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException && IsBrokerFault(ex)),
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(100),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public async Task PublishAsync(KciReceived kci, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.Value.ConfirmTimeout);
        try
        {
            await _retry.ExecuteAsync(async token => await bus.SendKciAsync(kci, token), bound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BrokerUnavailableException($"No publisher confirm within {options.Value.ConfirmTimeout}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && IsBrokerFault(ex))
        {
            throw new BrokerUnavailableException("The broker refused or dropped the message", ex);
        }
    }

    private static bool IsBrokerFault(Exception ex) =>
        ex is RabbitMqConnectionException or MassTransitException or RabbitMQ.Client.Exceptions.RabbitMQClientException
        || ex.InnerException is { } inner && IsBrokerFault(inner);
}
