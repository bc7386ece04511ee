using Kci.Hosting.Persistence;
using Kci.Hosting.Resilience;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Kci.Hosting.Messaging;

public static class RetryExtensions
{
    /// <summary>
    /// The one fault policy of every consumer endpoint, outermost first:
    /// <list type="number">
    /// <item>The database is unreachable: the message is tried again, without limit, each time only once the
    /// <see cref="DatabaseGate"/> has opened again. It stays unacknowledged in RabbitMQ meanwhile and never reaches an
    /// <c>_error</c> queue because of an outage, however long.</item>
    /// <item>Contention (deadlocks, serialization failures, the saga insert race): up to 10 quick retries with backoff.</item>
    /// <item>The gate itself, next to the consumer.</item>
    /// </list>
    /// Anything else (a bug, a constraint or value the database refuses) faults at once, to the endpoint's
    /// <c>_error</c> queue, where the operations API shows it and can replay it.
    /// </summary>
    public static void UseKciRetry(this IReceiveEndpointConfigurator endpoint, IServiceProvider services)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(TransientFaults.IsUnreachable);
            // Without limit (MassTransit keeps only the intervals up to the 2 s cap); each try first waits for the gate.
            r.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200));
        });
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(ex => TransientFaults.IsContention(ex) && !TransientFaults.IsUnreachable(ex));
            r.Exponential(10, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
        });
        endpoint.UseFilter(new DatabaseGateFilter(services.GetRequiredService<DatabaseGate>()));
    }
}
