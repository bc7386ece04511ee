using System.Globalization;
using System.Text.Json;

namespace Kci.Handlers.Recording;

/// <summary>
/// The fields Handlers act on, read from a KCI body (which the ingress validated), each cleaned for storage, display and
/// search by <see cref="DisplayText"/>: the body itself is kept as it came.
/// </summary>
public sealed record KciFacts
{
    public DateTimeOffset? IssuedOn { get; init; }
    public DateTimeOffset? ReceivedOn { get; init; }
    public DateTimeOffset? DeliveredOn { get; init; }
    public string? PayloadType { get; init; }
    public string? Code { get; init; }
    public string? Text { get; init; }
    public string? SupplierNotes { get; init; }
    public string? Entity { get; init; }
    public string? EntityStatus { get; init; }
    public string? SupplierOrderNumber { get; init; }
    public DateTimeOffset? CommittedDate { get; init; }
    public DateTimeOffset? TargetDate { get; init; }
    public string? RequestedCeaseDate { get; init; }
    public DateTimeOffset? AppointmentStart { get; init; }
    public DateTimeOffset? AppointmentEnd { get; init; }
    public string? ErrorUuid { get; init; }

    /// <summary>An ERROR payload's messages as a JSON array.</summary>
    public string? ErrorMessages { get; init; }

    public static KciFacts Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var payload = PayloadOf(root);
        var entity = root.TryGetProperty("entity", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        return new KciFacts
        {
            IssuedOn = Date(root, "issuedOn"),
            ReceivedOn = Date(root, "receivedOn"),
            DeliveredOn = Date(root, "deliveredOn"),
            PayloadType = Str(payload, "type") ?? Str(payload, "code"),
            Code = Str(payload, "code"),
            Text = DisplayText.Clean(Str(payload, "text", DisplayText.LongText) ?? JoinedMessages(payload), DisplayText.LongText),
            SupplierNotes = root.TryGetProperty("supplierNotes", out var notes) ? DisplayText.CleanJson(notes) : null,
            Entity = entity.ValueKind == JsonValueKind.Object ? DisplayText.CleanJson(entity) : null,
            EntityStatus = Str(entity, "status"),
            SupplierOrderNumber = Str(entity, "supplierOrderNumber"),
            CommittedDate = Date(entity, "committedDate"),
            TargetDate = Date(entity, "targetDate"),
            RequestedCeaseDate = Str(entity, "requestedCeaseDate"),
            AppointmentStart = entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("appointmentTimeslot", out var slot) ? Date(slot, "timeslotStartDateTime") : null,
            AppointmentEnd = entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("appointmentTimeslot", out var slotEnd) ? Date(slotEnd, "timeslotEndDateTime") : null,
            ErrorUuid = root.TryGetProperty("error", out var error) ? Str(error, "uuid") : null,
            ErrorMessages = root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object
                && err.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array ? DisplayText.CleanJson(messages) : null,
        };
    }

    private static JsonElement PayloadOf(JsonElement root)
    {
        foreach (var name in (string[])["information", "action", "error"])
        {
            if (root.TryGetProperty(name, out var payload) && payload.ValueKind == JsonValueKind.Object)
                return payload;
        }
        return default;
    }

    private static string? Str(JsonElement element, string name, int maxLength = DisplayText.ShortValue) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? DisplayText.Clean(value.GetString(), maxLength)
            : null;

    private static DateTimeOffset? Date(JsonElement element, string name) =>
        Str(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.ToUniversalTime()
            : null;

    private static string? JoinedMessages(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array
            ? string.Join("; ", messages.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()))
            : null;
}
