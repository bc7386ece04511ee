using Microsoft.Extensions.Logging;

namespace Kci.Hosting;

/// <summary>Event ids 1000-1999.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Outbox relay of {Context} failed ({Failures} in a row); rows stay and are sent again")]
    public static partial void OutboxRelayFailed(ILogger logger, Exception exception, string context, int failures);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Relayed {Count} outbox messages of {Context}")]
    public static partial void OutboxRelayed(ILogger logger, int count, string context);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning,
        Message = "Sending outbox message {MessageId} of {Context} after its commit failed; the relay sends it shortly")]
    public static partial void OutboxSendAfterCommitFailed(ILogger logger, Exception exception, string context, Guid messageId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Warm-up of {Context} failed; the first messages will be slower")]
    public static partial void WarmupFailed(ILogger logger, Exception exception, string context);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "A round of {Service} failed; trying again shortly")]
    public static partial void RoundFailed(ILogger logger, Exception exception, string service);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error,
        Message = "The database is unreachable ({ExceptionType}: {Reason}); messages wait in RabbitMQ until it answers again")]
    public static partial void DatabaseUnreachable(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "The database answers again after {Seconds:F1} s; waiting messages go on")]
    public static partial void DatabaseBack(ILogger logger, double seconds);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "Receive endpoint {Queue} has not been consuming for {Seconds:F0} s while the broker answers; restarting it")]
    public static partial void RestartingEndpoint(ILogger logger, string queue, double seconds);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Restarting receive endpoint {Queue} failed")]
    public static partial void EndpointRestartFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error,
        Message = "Receive endpoints {Queues} still not consuming after their restart; restarting the bus")]
    public static partial void RestartingBus(ILogger logger, string queues);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "All {Count} receive endpoints consume again")]
    public static partial void EndpointsConsuming(ILogger logger, int count);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "A round of the endpoint monitor failed")]
    public static partial void MonitorRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning,
        Message = "A batch of {Count} {MessageType} failed ({ExceptionType}); each message runs alone, and only those that fail again fault")]
    public static partial void BatchSplit(ILogger logger, string messageType, int count, string exceptionType);
}
