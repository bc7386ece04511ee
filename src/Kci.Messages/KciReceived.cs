namespace Kci.Messages;

/// <summary>A KCI the ingress accepted (answered 204) from the gateway.</summary>
public sealed record KciReceived
{
    public required Guid KciId { get; init; }

    /// <summary>Name-based UUID of <see cref="Order"/>: the sequencer saga's correlation id.</summary>
    public required Guid OrderId { get; init; }

    public required OrderKey Order { get; init; }
    public required long SequenceNumber { get; init; }
    public required string Supplier { get; init; }
    public required string UpdateType { get; init; }

    /// <summary>The payload's <c>type</c> (information, action) or <c>code</c> (error), when present.</summary>
    public string? PayloadType { get; init; }

    /// <summary><c>X-Conversation-ID</c> exactly as the gateway sent it.</summary>
    public required string ConversationId { get; init; }

    /// <summary><c>X-Request-ID</c> exactly as the gateway sent it.</summary>
    public required string RequestId { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The request body, byte for byte, so that no field is ever lost.</summary>
    public required string Body { get; init; }

    /// <summary>
    /// Null for a KCI the gateway delivered. For one recovered from the gateway's order read to fill a gap: the read it came
    /// from (<c>GET /service-orders/{id}</c> and the like); its <see cref="Body"/> is then rebuilt from that read's update.
    /// </summary>
    public string? RecoveredFrom { get; init; }
}
