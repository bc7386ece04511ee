namespace Kci.Handlers;

/// <summary>Event ids 4000-4999. IDs only: never a body or contact data.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Handled KCI {KciId} #{SequenceNumber} of {OrderKey} as {Kind} (conversation {ConversationId})")]
    public static partial void Handled(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string kind, string conversationId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information,
        Message = "KCI {KciId} #{SequenceNumber} of {OrderKey} was handled before: nothing repeated, acknowledged again")]
    public static partial void AlreadyHandled(ILogger logger, Guid kciId, long sequenceNumber, string orderKey);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "Unrecognised KCI {KciId} #{SequenceNumber} of {OrderKey}: update type {UpdateType}; kept whole for operators (conversation {ConversationId})")]
    public static partial void Unrecognised(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string updateType, string conversationId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error,
        Message = "Gateway error KCI {KciId} #{SequenceNumber} of {OrderKey}: {Code} (conversation {ConversationId})")]
    public static partial void GatewayError(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string? code, string conversationId);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning,
        Message = "Notification of KCI {KciId} to {Subscription} failed (attempt {Attempts}): {Error}; kept for redelivery")]
    public static partial void NotificationFailed(ILogger logger, string subscription, Guid kciId, int attempts, string error);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information,
        Message = "Action {ActionId} ({Type}) of {OrderKey} resolved by {By}: {Resolution}")]
    public static partial void ActionResolved(ILogger logger, Guid actionId, string type, string orderKey, string by, string resolution);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning,
        Message = "Operator {Operator}: {Command} on {Target} ({Reason}): {Outcome}")]
    public static partial void OperatorAction(ILogger logger, string @operator, string command, string target, string reason, string outcome);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Error,
        Message = "Dead letter taken from {Queue}: {MessageType} {MessageId} of {EntityType}/{EntityId} #{SequenceNumber} ({ExceptionType}); listed at /dead-letters for an operator")]
    public static partial void DeadLetterTaken(ILogger logger, string queue, string messageType, Guid messageId, string? entityType, string? entityId,
        long? sequenceNumber, string? exceptionType);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning,
        Message = "Dead letter {Id} ({MessageType} from {Queue}) replayed to {SourceQueue} by {Operator}: {Reason}")]
    public static partial void DeadLetterReplayed(ILogger logger, long id, string messageType, string queue, string sourceQueue, string @operator, string reason);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning,
        Message = "A run of {OrderKey} stopped at KCI {FailedKciId} ({ExceptionType}): the {Committed} KCI(s) before it are committed and acknowledged; it goes again on its own")]
    public static partial void RunStopped(ILogger logger, string orderKey, Guid failedKciId, string exceptionType, int committed);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information,
        Message = "Retention: removed the KCI bodies and contact details of {Orders} order(s) closed before {ClosedBefore:O} (Retention:ClosedOrderBodies {Period})")]
    public static partial void RetentionApplied(ILogger logger, int orders, DateTimeOffset closedBefore, TimeSpan period);
}
