using System.Globalization;

namespace Kci.Handlers.OperatorConsole;

/// <summary>How the console writes times and waits: UTC, to the second, and waits as "3 min" rather than a timestamp to subtract.</summary>
public static class ConsoleFormat
{
    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "–";

    public static string Since(DateTimeOffset? at, DateTimeOffset now) => at is { } t ? Duration(now - t) : "–";

    public static string Until(DateTimeOffset? at, DateTimeOffset now) => at is { } t
        ? t >= now ? $"in {Duration(t - now)}" : $"{Duration(now - t)} ago"
        : "–";

    public static string Duration(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => "now",
        { TotalMinutes: < 1 } => $"{(int)span.TotalSeconds} s",
        { TotalHours: < 1 } => $"{(int)span.TotalMinutes} min",
        { TotalDays: < 2 } => $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => $"{(int)span.TotalDays} days",
    };

    public static string Reason(string reason) => reason switch
    {
        "blocked" => "Blocked (a KCI failed in Handlers)",
        "dead-letter" => "Dead letter (a KCI lies in a dead-letter queue)",
        "parked" => "Parked (too many KCIs held)",
        "gap" => "Gap (a number is missing)",
        "acknowledgement" => "Acknowledgement (Handlers have not answered for over 10 s)",
        _ => reason,
    };

    /// <summary>Entity types and statuses the gateway documents, offered as suggestions in the filters (any value may be typed).</summary>
    public static readonly string[] EntityTypes = ["PROVIDE_ORDER", "MODIFY_ORDER", "CEASE_ORDER", "UNSOLICITED_CEASE_ORDER", "PROVIDE_ETHERNET_ORDER", "SERVICE_TEST", "SERVICE_PROBLEM"];

    public static readonly string[] Statuses =
    [
        "RECEIVED_BY_GATEWAY", "SENT_TO_SUPPLIER", "FAILED_TO_SEND", "REJECTED", "ACKNOWLEDGED", "IN_PROGRESS", "PENDING", "HELD",
        "PENDING_CANCELLATION", "PENDING_AMENDMENT", "CANCELLED", "COMPLETED", "PARTIAL", "FAILED", "NETWORK_INCIDENT", "RESOLVED",
    ];
}
