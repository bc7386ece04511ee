using System.Text.Json;
using Kci.Messages;
using Microsoft.EntityFrameworkCore;

namespace Kci.Hosting.Persistence;

public static class Outbox
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Maps the outbox table into a context's model (in the context's default schema).</summary>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Destination).HasMaxLength(200);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.FaultDestination).HasMaxLength(200);
            e.Property(x => x.TraceParent).HasMaxLength(100);
            // The database's clock, never an instance's: the relay compares it with now() (docs/reliability.md).
            e.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        });
        return modelBuilder;
    }

    /// <summary>
    /// Adds <paramref name="message"/> to the outbox of <paramref name="db"/>: it is sent to
    /// <paramref name="queue"/> after the current transaction commits, and never if it rolls back. It is sent in the trace
    /// of <paramref name="traceParent"/> (a W3C id), by default the activity now (the message or request being handled).
    /// </summary>
    public static void Enqueue(this DbContext db, string queue, object message, Guid messageId,
        Guid? correlationId = null, Guid? conversationId = null, string? faultQueue = null, string? traceParent = null)
    {
        var type = message.GetType();
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            MessageId = messageId,
            Destination = queue,
            MessageType = type.FullName!,
            Body = JsonSerializer.Serialize(message, type, Json),
            Message = message,
            FaultDestination = faultQueue,
            CorrelationId = correlationId,
            ConversationId = conversationId,
            TraceParent = traceParent ?? Telemetry.KciTracing.Current(),
        });
    }

    internal static Type ResolveMessageType(string fullName) =>
        typeof(KciReceived).Assembly.GetType(fullName, throwOnError: false)
        ?? throw new InvalidOperationException($"Unknown outbox message type {fullName}");
}
