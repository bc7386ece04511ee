namespace Kci.Handlers.Persistence;

/// <summary>
/// One compact event for one subscriber (the tenant's CRM or OSS), written with the KCI's effects and delivered
/// afterwards, so a slow or failing subscriber never holds up an order.
/// </summary>
public sealed class NotificationDelivery
{
    public long Id { get; set; }
    public required string Subscription { get; set; }
    public Guid KciId { get; set; }

    /// <summary>The event as posted (JSON).</summary>
    public required string Payload { get; set; }

    /// <summary>pending, delivered or failed (retries exhausted for now; redelivered later).</summary>
    public required string State { get; set; }

    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}
