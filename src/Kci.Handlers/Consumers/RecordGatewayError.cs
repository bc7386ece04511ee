using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Hosting.Telemetry;
using Kci.Messages;
using MassTransit;

namespace Kci.Handlers.Consumers;

/// <summary>ERROR: the gateway could not get our request to the supplier; recorded, and an operator alerted.</summary>
public sealed class RecordGatewayError(KciRecorder recorder, KciMetrics metrics, TimeProvider clock, ILogger<RecordGatewayError> logger)
    : IConsumer<ErrorKciReleased>
{
    public async Task Consume(ConsumeContext<ErrorKciReleased> context)
    {
        var kci = context.Message.Kci;
        string? code = null;
        var recorded = await recorder.RecordAsync(kci, "error", (facts, _, db) =>
        {
            code = facts.Code;
            db.Errors.Add(new GatewayError
            {
                KciId = kci.KciId,
                OrderId = kci.OrderId,
                EntityType = kci.Order.EntityType,
                EntityId = kci.Order.EntityId,
                SequenceNumber = kci.SequenceNumber,
                Uuid = facts.ErrorUuid,
                Code = facts.Code,
                Messages = facts.ErrorMessages,
                EntityStatus = facts.EntityStatus,
                RecordedAt = clock.GetUtcNow(),
            });
            return Task.CompletedTask;
        }, context.CancellationToken);
        if (recorded)
        {
            metrics.HandlingFailures.Add(1);
            Log.GatewayError(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), code, kci.ConversationId);
        }
    }
}
