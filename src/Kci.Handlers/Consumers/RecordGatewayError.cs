using Kci.Handlers.Persistence;
using Kci.Handlers.Recording;
using Kci.Hosting.Messaging;
using Kci.Hosting.Telemetry;
using Kci.Messages;

namespace Kci.Handlers.Consumers;

/// <summary>ERROR, a batch of runs per transaction: the gateway could not get our request to the supplier; recorded, and an operator alerted.</summary>
public sealed class RecordGatewayError(KciRecorder recorder, KciMetrics metrics, TimeProvider clock, ILogger<RecordGatewayError> logger)
    : IBatchTransaction<ErrorKciReleased>
{
    public async Task RunAsync(IReadOnlyList<ErrorKciReleased> messages, CancellationToken cancellationToken)
    {
        var recorded = await recorder.RecordAsync(messages, "error", (kci, facts, db) =>
        {
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
            return null;
        }, cancellationToken);
        foreach (var (kci, facts) in recorded)
        {
            metrics.HandlingFailures.Add(1);
            Log.GatewayError(logger, kci.KciId, kci.SequenceNumber, kci.Order.ToString(), facts.Code, kci.ConversationId);
        }
    }
}
