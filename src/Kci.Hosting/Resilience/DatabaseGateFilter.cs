using MassTransit;

namespace Kci.Hosting.Resilience;

/// <summary>
/// The innermost filter of every receive endpoint: a message waits here while the <see cref="DatabaseGate"/> is closed,
/// and a consumer that finds the database unreachable closes it. The retry filter outside sends the message back here
/// (see <see cref="Messaging.RetryExtensions.UseKciRetry"/>), so it is tried again only once the database answers.
/// </summary>
public sealed class DatabaseGateFilter(DatabaseGate gate) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        await gate.WaitOpenAsync(context.CancellationToken);
        try
        {
            await next.Send(context);
        }
        catch (Exception ex)
        {
            gate.Report(ex);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("databaseGate");
}
