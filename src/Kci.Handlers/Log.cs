namespace Kci.Handlers;

/// <summary>Event ids 4000-4999. IDs only: never a body or contact data.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Handled KCI {KciId} #{SequenceNumber} of {OrderKey} as {Kind} (conversation {ConversationId})")]
    public static partial void Handled(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string kind, string conversationId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information,
        Message = "KCI {KciId} #{SequenceNumber} of {OrderKey} was handled before; redelivery ignored")]
    public static partial void AlreadyHandled(ILogger logger, Guid kciId, long sequenceNumber, string orderKey);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "Unrecognised KCI {KciId} #{SequenceNumber} of {OrderKey}: update type {UpdateType}; kept whole for operators (conversation {ConversationId})")]
    public static partial void Unrecognised(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string updateType, string conversationId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error,
        Message = "Gateway error KCI {KciId} #{SequenceNumber} of {OrderKey}: {Code} (conversation {ConversationId})")]
    public static partial void GatewayError(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string? code, string conversationId);
}
