namespace Kci.Handlers.Persistence;

/// <summary>An ERROR KCI: the gateway could not get a request of ours to the supplier.</summary>
public sealed class GatewayError
{
    public Guid KciId { get; set; }
    public Guid OrderId { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public long SequenceNumber { get; set; }

    /// <summary>The gateway's error uuid, to quote to the gateway.</summary>
    public string? Uuid { get; set; }

    public string? Code { get; set; }

    /// <summary>The gateway's messages, as a JSON array.</summary>
    public string? Messages { get; set; }

    public string? EntityStatus { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}
