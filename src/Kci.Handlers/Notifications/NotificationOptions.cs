using System.ComponentModel.DataAnnotations;

namespace Kci.Handlers.Notifications;

/// <summary>Downstream notifications to the tenant's own systems (off unless subscriptions are configured).</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    public List<NotificationSubscription> Subscriptions { get; set; } = [];

    /// <summary>Per attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts in one delivery round, with jittered exponential backoff between them.</summary>
    [Range(1, 10)] public int AttemptsPerRound { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>After a failed round, the next round starts this much later (times the rounds so far, at most an hour).</summary>
    public TimeSpan RedeliveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The circuit of a subscriber opens after this many failures in a row, for <see cref="BreakDuration"/>.</summary>
    [Range(2, 1000)] public int BreakAfterFailures { get; set; } = 5;

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

public sealed class NotificationSubscription
{
    [Required] public string Name { get; set; } = "";

    /// <summary>Update types to notify (INFORMATIONAL, ACTION_REQUIRED, ERROR, or an unknown one); empty means all.</summary>
    public List<string> UpdateTypes { get; set; } = [];

    [Required] public Uri Url { get; set; } = null!;

    /// <summary>Sent as the Authorization header, e.g. "Bearer ...".</summary>
    public string? AuthorizationHeader { get; set; }

    public bool Wants(string updateType) => UpdateTypes.Count == 0 || UpdateTypes.Contains(updateType, StringComparer.Ordinal);
}
