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
}
