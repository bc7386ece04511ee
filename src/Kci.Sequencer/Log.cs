namespace Kci.Sequencer;

/// <summary>Event ids 3000-3999. IDs only: never a body or contact data.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Released KCI {KciId} #{SequenceNumber} of {OrderKey} (conversation {ConversationId}, late {Late}, gap before {GapBefore})")]
    public static partial void Released(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string conversationId, bool late, long gapBefore);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Held KCI {KciId} #{SequenceNumber} of {OrderKey} (next expected #{NextSequence}, conversation {ConversationId})")]
    public static partial void Held(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, long nextSequence, string conversationId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information,
        Message = "Ignored KCI {KciId} #{SequenceNumber} of {OrderKey}: the same KCI id was already received (request {RequestId})")]
    public static partial void Duplicate(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string requestId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Gap in {OrderKey}: numbers {From} to {To} never arrived within the gap timeout and were skipped (conversation {ConversationId})")]
    public static partial void GapSkipped(ILogger logger, string orderKey, long from, long to, string? conversationId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "KCI {KciId} carries #{SequenceNumber} of {OrderKey}, a number another KCI already had; released after it, flagged SequenceConflict (conversation {ConversationId})")]
    public static partial void SequenceConflict(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string conversationId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning,
        Message = "Parked {OrderKey}: {Held} KCIs held, over the cap; nothing more is released until an operator unparks it")]
    public static partial void Parked(ILogger logger, string orderKey, int held);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error,
        Message = "Blocked {OrderKey}: handling of KCI {KciId} #{SequenceNumber} failed for good ({ExceptionType}); an operator can retry or skip it (conversation {ConversationId})")]
    public static partial void Blocked(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string exceptionType, string conversationId);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning,
        Message = "Operator command {Command} on {OrderKey} by {Operator} ({Reason}): {Result}")]
    public static partial void OperatorCommand(ILogger logger, string command, string orderKey, string @operator, string reason, string result);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning,
        Message = "KCI {KciId} of {OrderKey} was not acknowledged in time; dispatched again (conversation {ConversationId})")]
    public static partial void Redispatched(ILogger logger, Guid kciId, string orderKey, string? conversationId);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error,
        Message = "KCI {KciId} #{SequenceNumber} of {OrderKey} lies in dead-letter queue {Queue} ({Reason}); the order holds its number until an operator replays or skips it (conversation {ConversationId})")]
    public static partial void DeadLettered(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string queue, string reason, string conversationId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning,
        Message = "The Sequencer could not work for a while; deadlines due within {GraceSeconds:F0} s moved out ({Gaps} gap, {Acks} acknowledgement)")]
    public static partial void DeadlinesDeferred(ILogger logger, double graceSeconds, int gaps, int acks);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning,
        Message = "Handlers stopped after KCI {HandledKciId} of {OrderKey}, before the end of its run; the rest goes again from KCI {NextKciId}, which failed there (conversation {ConversationId})")]
    public static partial void RunResumed(ILogger logger, Guid handledKciId, Guid nextKciId, string orderKey, string? conversationId);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information,
        Message = "Gap recovery is on: a gap waits {RecoveryAfterSeconds:F0} s (by default), then the gateway's order read at {BaseUrl} is asked for it")]
    public static partial void GapRecoveryOn(ILogger logger, double recoveryAfterSeconds, Uri baseUrl);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information,
        Message = "Gap recovery is off: Gateway:BaseUrl is not set, so a missing number waits for its gap timeout")]
    public static partial void GapRecoveryOff(ILogger logger);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information,
        Message = "Recovered KCI {KciId} (number {SequenceNumber}) of {OrderKey} from {Source} (request {RequestId}, conversation {ConversationId})")]
    public static partial void Recovered(ILogger logger, Guid kciId, long sequenceNumber, string orderKey, string source, string requestId, string conversationId);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Information,
        Message = "The gateway's {Source} of {OrderKey} does not hold {Count} of its missing numbers ({First} to {Last}); they stay a gap (request {RequestId}, conversation {ConversationId})")]
    public static partial void NotRecovered(ILogger logger, string source, string orderKey, int count, long first, long last, string requestId, string conversationId);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Warning,
        Message = "Gap recovery of {OrderKey} could not read the gateway ({Source}: {Reason}); the gap waits as before (request {RequestId}, conversation {ConversationId})")]
    public static partial void GatewayReadFailed(ILogger logger, string orderKey, string source, string reason, string requestId, string conversationId);

    [LoggerMessage(EventId = 3019, Level = LogLevel.Warning,
        Message = "The gateway's {Source} of {OrderKey} holds number {SequenceNumber}, but not as a valid KCI ({Problems}); it stays a gap (request {RequestId}, conversation {ConversationId})")]
    public static partial void RecoveredUpdateRefused(ILogger logger, string source, string orderKey, long sequenceNumber, string problems, string requestId, string conversationId);
}
