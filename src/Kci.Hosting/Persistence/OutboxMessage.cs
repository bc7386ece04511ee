using System.ComponentModel.DataAnnotations.Schema;

namespace Kci.Hosting.Persistence;

/// <summary>
/// A message written in the same transaction as the state change that caused it, and relayed to
/// RabbitMQ by <see cref="OutboxRelay{TDb}"/> once that transaction committed.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Relay order.</summary>
    public long Id { get; set; }

    /// <summary>Deterministic per cause, so a relay repeated after a crash is recognisably the same message.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The queue it is sent to (see <c>KciQueues</c>).</summary>
    public required string Destination { get; set; }

    /// <summary>Full name of a type in <c>Kci.Messages</c>.</summary>
    public required string MessageType { get; set; }

    public required string Body { get; set; }

    /// <summary>
    /// The message itself, while the row is still in the memory of the transaction that wrote it: sending right after the
    /// commit then skips reading <see cref="Body"/> back. Rows the relay loads have only the body.
    /// </summary>
    [NotMapped] public object? Message { get; init; }

    /// <summary>Where a consumer's final failure (MassTransit's <c>Fault&lt;T&gt;</c>) is to be sent, if anywhere.</summary>
    public string? FaultDestination { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? ConversationId { get; set; }

    /// <summary>The trace the message belongs to (a W3C trace context), when tracing is on: its send starts a span under it.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
