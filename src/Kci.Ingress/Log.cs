namespace Kci.Ingress;

/// <summary>Event ids 2000-2999. One line per request, with its IDs: never the body or contact data.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Accepted KCI {KciId} #{SequenceNumber} of {OrderKey} from {Supplier} (request {RequestId}, conversation {ConversationId}) outcome 204 in {LatencyMs:F1} ms")]
    public static partial void Accepted(ILogger logger, string requestId, string conversationId, Guid kciId, string supplier, string orderKey,
        long sequenceNumber, double latencyMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Rejected request {RequestId} (conversation {ConversationId}) outcome {Status} {Code} error {ErrorUuid}: {Problems} in {LatencyMs:F1} ms")]
    public static partial void Rejected(ILogger logger, string requestId, string conversationId, int status, string code, string errorUuid,
        string problems, double latencyMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error,
        Message = "Broker unavailable for KCI {KciId} #{SequenceNumber} of {OrderKey} (request {RequestId}, conversation {ConversationId}) outcome 503 in {LatencyMs:F1} ms")]
    public static partial void BrokerUnavailable(ILogger logger, Exception exception, string requestId, string conversationId, Guid kciId,
        string orderKey, long sequenceNumber, double latencyMs);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error,
        Message = "Unexpected failure of request {RequestId} (conversation {ConversationId}) outcome 500 TENANT_FAULT error {ErrorUuid}")]
    public static partial void Unexpected(ILogger logger, Exception exception, string requestId, string conversationId, string errorUuid);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "Rejected request {RequestId} (conversation {ConversationId}) outcome 401 NOT_AUTHORISED error {ErrorUuid}: {Reason}")]
    public static partial void NotAuthorised(ILogger logger, string requestId, string conversationId, string errorUuid, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning,
        Message = "Rejected request {RequestId} (conversation {ConversationId}) outcome 403: client {Client} lacks the required scope")]
    public static partial void Forbidden(ILogger logger, string requestId, string conversationId, string client);
}
