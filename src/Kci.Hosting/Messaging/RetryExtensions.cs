using Kci.Hosting.Persistence;
using MassTransit;

namespace Kci.Hosting.Messaging;

public static class RetryExtensions
{
    /// <summary>
    /// The one retry policy of every consumer endpoint: transient database faults (deadlocks, serialization
    /// failures, the saga insert race, lost connections) are retried with exponential backoff; anything else
    /// faults at once, to the endpoint's <c>_error</c> queue.
    /// </summary>
    public static void UseTransientRetry(this IRabbitMqReceiveEndpointConfigurator endpoint) =>
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(TransientFaults.IsTransient);
            r.Exponential(10, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
        });
}
