using System.Text.Json;

namespace Kci.Handlers.DeadLetters;

/// <summary>What a dead letter's MassTransit envelope says about itself: its type, and the order and KCI it concerns.</summary>
public sealed record EnvelopeFacts(Guid? MessageId, string? MessageType, Guid? OrderId, string? EntityType, string? EntityId, Guid? KciId,
    long? SequenceNumber, string? ConversationId, string? FaultQueue, Guid? CorrelationId, Guid? EnvelopeConversationId, JsonElement? Message);

public static class EnvelopeReader
{
    private const string OurPrefix = "urn:message:Kci.Messages:";

    /// <summary>Reads what it can; a body that is not an envelope gives empty facts rather than an error.</summary>
    public static EnvelopeFacts Read(byte[] envelope)
    {
        try
        {
            using var document = JsonDocument.Parse(envelope);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Empty;
            var urn = root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0
                ? types[0].GetString()
                : null;
            var type = urn is not null && urn.StartsWith(OurPrefix, StringComparison.Ordinal) ? urn[OurPrefix.Length..] : urn;
            JsonElement? message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m.Clone() : null;

            // The KCI fields sit on the message (KciReceived, KciHandled), under "kci" (KciDeadLettered, and releases written
            // before runs), on the first KCI of "kcis" (a released run), or one level deeper (faults).
            JsonElement? kci = message;
            if (kci is { } k2 && k2.TryGetProperty("message", out var faulted) && faulted.ValueKind == JsonValueKind.Object)
                kci = faulted;
            if (kci is { } k1 && k1.TryGetProperty("kcis", out var run) && run.ValueKind == JsonValueKind.Array && run.GetArrayLength() > 0
                && run[0].ValueKind == JsonValueKind.Object)
                kci = run[0];
            else if (kci is { } k4 && k4.TryGetProperty("kci", out var inner) && inner.ValueKind == JsonValueKind.Object)
                kci = inner;

            JsonElement? order = kci is { } k3 && k3.TryGetProperty("order", out var o) && o.ValueKind == JsonValueKind.Object ? o : null;
            return new EnvelopeFacts(
                GuidOf(root, "messageId"), type, GuidOf(kci, "orderId"), StringOf(order, "entityType"), StringOf(order, "entityId"),
                GuidOf(kci, "kciId"), LongOf(kci, "sequenceNumber"), StringOf(kci, "conversationId"),
                QueueOf(StringOf(root, "faultAddress")), GuidOf(root, "correlationId"), GuidOf(root, "conversationId"), message);
        }
        catch (JsonException)
        {
            return Empty;
        }
    }

    private static readonly EnvelopeFacts Empty = new(null, null, null, null, null, null, null, null, null, null, null, null);

    private static string? StringOf(JsonElement? element, string name) =>
        element is { } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Guid? GuidOf(JsonElement? element, string name) => Guid.TryParse(StringOf(element, name), out var id) ? id : null;

    private static long? LongOf(JsonElement? element, string name) =>
        element is { } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    /// <summary>The queue name of a MassTransit address (<c>rabbitmq://host/vhost/queue?...</c> or <c>queue:name</c>).</summary>
    private static string? QueueOf(string? address)
    {
        if (string.IsNullOrEmpty(address))
            return null;
        if (address.StartsWith("queue:", StringComparison.Ordinal))
            return address["queue:".Length..];
        return Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            : null;
    }
}
