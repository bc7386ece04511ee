using Kci.Handlers.Recording;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>ERROR: the gateway could not get the tenant's request to the supplier; alert an operator.</summary>
public sealed class RecordGatewayError(KciRecorder recorder, KciMetrics metrics, ILogger<RecordGatewayError> logger) : IConsumer<ErrorKciReleased>
{
    public async Task Consume(ConsumeContext<ErrorKciReleased> context)
    {
        var kci = context.Message.Kci;
        string? code = null;
        var recorded = await recorder.RecordAsync(kci, "error", (facts, _, _) =>
        {
            code = facts.Code;
            return Task.CompletedTask;
        }, context.CancellationToken);
        if (recorded)
        {
            metrics.HandlingFailures.Add(1);
            Log.GatewayError(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), code, kci.ConversationId);
        }
    }
}
