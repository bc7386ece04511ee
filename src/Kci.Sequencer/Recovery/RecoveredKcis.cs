using System.Text;
using System.Text.Json;
using Kci.Hosting.Kcis;
using Kci.Messages;

namespace Kci.Sequencer.Recovery;

/// <summary>A KCI rebuilt from the gateway's order read, validated as the ingress validates a delivery.</summary>
public sealed record RecoveredKci(ValidatedKci Kci, string Body);

/// <summary>An update of the read that carried a missing number but is not a valid KCI: why, by field path (never values).</summary>
public sealed record RefusedUpdate(long SequenceNumber, string Problems);

/// <summary>
/// The rules that turn a read of the gateway's order into KCIs (docs/gap-recovery.md), as plain code. Each update of
/// <c>updates[]</c> holds a KCI's own fields (<c>id</c>, <c>supplier</c>, <c>sequenceNumber</c>, the dates,
/// <c>deliveryStatus</c>, <c>updateType</c> with its payload, <c>supplierNotes</c>); the order read holds the entity. A KCI's
/// body is the update's fields, then <c>entityType</c> (the order's), then <c>entity</c>: the order as read, without its
/// <c>updates</c>. Its entity is therefore the order's latest version, as the gateway's deliveries carry too.
/// </summary>
public static class RecoveredKcis
{
    /// <summary>
    /// The updates that carry one of <paramref name="missing"/> and an id the order does not know, as KCIs of the order
    /// (<paramref name="entityType"/>, <paramref name="entityId"/>). An update that fails the ingress's rules (its body size
    /// limit too), or names another order, is refused.
    /// </summary>
    public static (List<RecoveredKci> Recovered, List<RefusedUpdate> Refused) From(JsonElement order, string entityType, string entityId,
        IReadOnlySet<long> missing, IReadOnlySet<Guid> known, int maxBodyBytes)
    {
        var recovered = new List<RecoveredKci>();
        var refused = new List<RefusedUpdate>();
        if (order.ValueKind != JsonValueKind.Object || !order.TryGetProperty("updates", out var updates) || updates.ValueKind != JsonValueKind.Array)
            return (recovered, refused);

        foreach (var update in updates.EnumerateArray())
        {
            if (update.ValueKind != JsonValueKind.Object
                || !update.TryGetProperty("sequenceNumber", out var number) || number.ValueKind != JsonValueKind.Number
                || !number.TryGetInt64(out var sequenceNumber) || !missing.Contains(sequenceNumber))
                continue;
            if (update.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && Guid.TryParse(id.GetString(), out var kciId)
                && known.Contains(kciId))
                continue; // delivered meanwhile

            var body = Body(order, update, entityType);
            if (Encoding.UTF8.GetByteCount(body) > maxBodyBytes)
            {
                refused.Add(new RefusedUpdate(sequenceNumber, $"body: must be at most {maxBodyBytes} bytes"));
                continue;
            }
            using var document = JsonDocument.Parse(body);
            var validation = KciValidator.Validate(document.RootElement, []);
            if (validation.Kci is not { } kci)
                refused.Add(new RefusedUpdate(sequenceNumber, string.Join(" | ", validation.Problems)));
            else if (kci.Order.EntityType != entityType || kci.Order.EntityId != entityId)
                refused.Add(new RefusedUpdate(sequenceNumber, "entity.id: the read answered for another order"));
            else if (known.Contains(kci.Id))
                continue;
            else
                recovered.Add(new RecoveredKci(kci, body));
        }
        return (recovered, refused);
    }

    /// <summary>The KCI body of <paramref name="update"/>: its fields, the order's entity type, and the order as the entity.</summary>
    public static string Body(JsonElement order, JsonElement update, string entityType)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in update.EnumerateObject())
                if (property.Name is not ("entityType" or "entity"))
                    property.WriteTo(writer);
            writer.WriteString("entityType", entityType);
            writer.WritePropertyName("entity");
            writer.WriteStartObject();
            foreach (var property in order.EnumerateObject())
                if (property.Name != "updates")
                    property.WriteTo(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
