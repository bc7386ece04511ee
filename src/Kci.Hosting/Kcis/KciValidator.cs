using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kci.Messages;
using Microsoft.AspNetCore.Http;

namespace Kci.Hosting.Kcis;

/// <summary>
/// The request rules of the KCI contract (docs/validation.md). Every problem is reported at once, each
/// naming its field path; no submitted value is ever echoed back. Enums are open: an unknown
/// <c>updateType</c>, <c>entityType</c> or payload <c>type</c> is valid and flows on to Handlers.
/// </summary>
public static partial class KciValidator
{
    private const int MaxHeaderLength = 200;

    /// <summary>
    /// Enumerated values (<c>updateType</c>, <c>entityType</c>, payload <c>type</c>) are open, but bounded: the
    /// order key is indexed, and no enum value of the gateway comes near this length.
    /// </summary>
    private const int MaxEnumLength = 100;

    private static readonly Dictionary<string, string> PayloadOfUpdateType = new(StringComparer.Ordinal)
    {
        ["INFORMATIONAL"] = "information",
        ["ACTION_REQUIRED"] = "action",
        ["ERROR"] = "error",
    };

    [GeneratedRegex("^[A-Za-z0-9_]{1,20}$")]
    private static partial Regex SupplierPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339Pattern();

    /// <summary>Checks <c>X-Request-ID</c> and <c>X-Conversation-ID</c>: present, not empty, at most 200 characters, no control characters.</summary>
    public static IEnumerable<string> CheckHeader(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            yield return $"{name}: header is required";
        else if (value.Length > MaxHeaderLength)
            yield return $"{name}: must be at most {MaxHeaderLength} characters";
        else if (value.Any(char.IsControl))
            yield return $"{name}: must not contain control characters";
    }

    public static KciValidation Validate(JsonElement root, IReadOnlyList<string> headerProblems)
    {
        var problems = new Problems();
        foreach (var p in headerProblems)
            problems.Missing(p);

        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Malformed("body: must be a JSON object");
            return problems.ToValidation(null);
        }

        // A \uD800-\uDFFF escape without its pair is valid JSON syntax but no character at all: no UTF-8 text, so no
        // database, can hold it. Refused here, with its place named, rather than accepted and failed later (docs/validation.md).
        if (MayHoldSurrogateEscape(JsonMarshal.GetRawUtf8Value(root)) && UnpairedSurrogateAt(root, "body") is { } path)
        {
            problems.Invalid($"{path}: contains an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair)");
            return problems.ToValidation(null);
        }

        var id = RequiredString(root, "id", problems);
        Guid kciId = default;
        if (id is not null && !Guid.TryParseExact(id, "D", out kciId))
            problems.Invalid("id: must be a UUID");

        var supplier = RequiredString(root, "supplier", problems);
        if (supplier is not null && !SupplierPattern().IsMatch(supplier))
            problems.Invalid("supplier: must match ^\\w{1,20}$");

        var sequenceNumber = SequenceNumber(root, problems);

        foreach (var name in (string[])["issuedOn", "receivedOn"])
            DateTime(root, name, name, required: false, problems);
        DateTime(root, "deliveredOn", "deliveredOn", required: true, problems);

        if (Optional(root, "supplierNotes", JsonValueKind.Array, problems) is { } notes)
            SupplierNotes(notes, problems);

        var updateType = Enumerated(RequiredString(root, "updateType", problems), "updateType", problems);
        string? payloadType = null;
        if (updateType is not null && PayloadOfUpdateType.TryGetValue(updateType, out var payloadName))
            payloadType = Payload(root, payloadName, problems);
        else
        {
            // An update type we do not know yet: whichever payload is there still has to be well formed.
            foreach (var name in PayloadOfUpdateType.Values)
                Optional(root, name, JsonValueKind.Object, problems);
        }

        var entityType = Enumerated(RequiredString(root, "entityType", problems), "entityType", problems);
        var entityId = EntityId(root, problems);

        if (problems.Any)
            return problems.ToValidation(null);

        var order = new OrderKey { EntityType = entityType!, EntityId = entityId! };
        return KciValidation.Valid(new ValidatedKci(kciId, supplier!, sequenceNumber!.Value, updateType!, payloadType, order));
    }

    private static string? RequiredString(JsonElement parent, string name, Problems problems, string? path = null)
    {
        path ??= name;
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Missing($"{path}: is required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Malformed($"{path}: must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (text.Length == 0)
        {
            problems.Missing($"{path}: must not be empty");
            return null;
        }
        return text;
    }

    /// <summary>An open enum value: any text, but one that could be an enum value (short, no control characters).</summary>
    private static string? Enumerated(string? value, string path, Problems problems)
    {
        if (value is null)
            return null;
        if (value.Length > MaxEnumLength || value.Any(char.IsControl))
        {
            problems.Invalid($"{path}: must be at most {MaxEnumLength} characters without control characters");
            return null;
        }
        return value;
    }

    private static JsonElement? Optional(JsonElement parent, string name, JsonValueKind kind, Problems problems, string? path = null)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != kind)
        {
            problems.Malformed($"{path ?? name}: must be {Describe(kind)}");
            return null;
        }
        return value;
    }

    /// <summary>
    /// Whether the raw JSON has a <c>\uD800</c>-<c>\uDFFF</c> escape anywhere. UTF-8 itself cannot carry a surrogate (the
    /// parser refuses such bytes), so without one no string can decode to an unpaired surrogate, and the walk below, which
    /// decodes every string, is skipped: the common case costs one scan of the bytes.
    /// </summary>
    internal static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> json)
    {
        int at;
        while ((at = json.IndexOf("\\u"u8)) >= 0)
        {
            if (at + 3 < json.Length && json[at + 2] is (byte)'d' or (byte)'D'
                && json[at + 3] is >= (byte)'8' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F')
                return true;
            json = json[(at + 2)..];
        }
        return false;
    }

    /// <summary>The path of the first string or property name whose escapes decode to an unpaired surrogate, or null.</summary>
    private static string? UnpairedSurrogateAt(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!Decodes(() => property.Name))
                        return path;
                    if (UnpairedSurrogateAt(property.Value, path == "body" ? property.Name : $"{path}.{property.Name}") is { } inner)
                        return inner;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (UnpairedSurrogateAt(item, $"{path}[{index++}]") is { } inner)
                        return inner;
                }
                return null;
            case JsonValueKind.String:
                return Decodes(element.GetString) ? null : path;
            default:
                return null;
        }

        static bool Decodes(Func<string?> read)
        {
            try
            {
                return read() is not { } text || !HasLoneSurrogate(text);
            }
            catch (InvalidOperationException)
            {
                return false; // System.Text.Json refuses to decode it
            }
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return true;
        }
        return false;
    }

    private static long? SequenceNumber(JsonElement root, Problems problems)
    {
        if (!root.TryGetProperty("sequenceNumber", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Missing("sequenceNumber: is required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Malformed("sequenceNumber: must be a number");
            return null;
        }
        // 3 and 3.0 are the same JSON number; 3.5, 0 and -1 are not sequence numbers; nor is anything above 2^53 - 1, the
        // largest integer every JSON implementation reads exactly (RFC 8259 section 6, I-JSON RFC 7493): a bigger number may
        // already have been rounded by the time it reached us, so it cannot order anything (docs/validation.md).
        if (value.TryGetInt64(out var number) && number is >= 1 and <= MaxSequenceNumber)
            return number;
        if (value.TryGetDecimal(out var exact) && exact >= 1 && exact == decimal.Truncate(exact) && exact <= MaxSequenceNumber)
            return (long)exact;
        problems.Invalid($"sequenceNumber: must be an integer from 1 to {MaxSequenceNumber}");
        return null;
    }

    /// <summary>2^53 - 1: the largest sequence number accepted.</summary>
    public const long MaxSequenceNumber = 9_007_199_254_740_991;

    private static void DateTime(JsonElement parent, string name, string path, bool required, Problems problems)
    {
        string? text;
        if (required)
            text = RequiredString(parent, name, problems, path);
        else
            text = Optional(parent, name, JsonValueKind.String, problems, path)?.GetString();
        if (text is not null && !IsRfc3339(text))
            problems.Invalid($"{path}: must be an RFC 3339 date-time");
    }

    public static bool IsRfc3339(string text) =>
        Rfc3339Pattern().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    private static void SupplierNotes(JsonElement notes, Problems problems)
    {
        var i = 0;
        foreach (var note in notes.EnumerateArray())
        {
            var path = $"supplierNotes[{i++}]";
            if (note.ValueKind != JsonValueKind.Object)
            {
                problems.Malformed($"{path}: must be an object");
                continue;
            }
            Optional(note, "note", JsonValueKind.String, problems, $"{path}.note");
            if (Optional(note, "created", JsonValueKind.String, problems, $"{path}.created") is { } created && !IsRfc3339(created.GetString()!))
                problems.Invalid($"{path}.created: must be an RFC 3339 date-time");
        }
    }

    /// <returns>The payload's <c>type</c> (information, action) or <c>code</c> (error).</returns>
    private static string? Payload(JsonElement root, string name, Problems problems)
    {
        if (!root.TryGetProperty(name, out var payload) || payload.ValueKind == JsonValueKind.Null)
        {
            problems.Missing($"{name}: is required for this updateType");
            return null;
        }
        if (payload.ValueKind != JsonValueKind.Object)
        {
            problems.Malformed($"{name}: must be an object");
            return null;
        }

        if (name == "error")
        {
            string? code = null;
            foreach (var field in (string[])["uuid", "code"])
            {
                if (!payload.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
                    problems.Invalid($"error.{field}: is required");
                else if (value.ValueKind != JsonValueKind.String)
                    problems.Malformed($"error.{field}: must be a string");
                else if (value.GetString()!.Length == 0)
                    problems.Invalid($"error.{field}: must not be empty");
                else if (field == "code")
                    code = value.GetString();
            }
            if (!payload.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
                problems.Invalid("error.messages: is required");
            else if (messages.ValueKind != JsonValueKind.Array || messages.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String))
                problems.Malformed("error.messages: must be an array of strings");
            return Enumerated(code, "error.code", problems);
        }

        if (!payload.TryGetProperty("type", out var type) || type.ValueKind == JsonValueKind.Null)
        {
            problems.Missing($"{name}.type: is required");
            return null;
        }
        if (type.ValueKind != JsonValueKind.String)
        {
            problems.Malformed($"{name}.type: must be a string");
            return null;
        }
        if (type.GetString()!.Trim().Length == 0)
        {
            problems.Invalid($"{name}.type: must not be empty");
            return null;
        }
        if (Enumerated(type.GetString(), $"{name}.type", problems) is null)
            return null;
        foreach (var field in (string[])["code", "text", "supplierCode"])
            Optional(payload, field, JsonValueKind.String, problems, $"{name}.{field}");
        if (Optional(payload, "supplierCodes", JsonValueKind.Array, problems, $"{name}.supplierCodes") is { } codes
            && codes.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            problems.Malformed($"{name}.supplierCodes: must be an array of strings");
        return type.GetString();
    }

    private static string? EntityId(JsonElement root, Problems problems)
    {
        if (!root.TryGetProperty("entity", out var entity) || entity.ValueKind == JsonValueKind.Null)
        {
            problems.Missing("entity: is required");
            return null;
        }
        if (entity.ValueKind != JsonValueKind.Object)
        {
            problems.Malformed("entity: must be an object");
            return null;
        }
        if (!entity.TryGetProperty("id", out var id) || id.ValueKind == JsonValueKind.Null)
        {
            problems.Missing("entity.id: is required");
            return null;
        }
        switch (id.ValueKind)
        {
            case JsonValueKind.Number when id.TryGetInt64(out var number) && number >= 0:
                return number.ToString(CultureInfo.InvariantCulture);
            case JsonValueKind.Number:
                problems.Invalid("entity.id: must be a whole number >= 0");
                return null;
            case JsonValueKind.String when id.GetString() is { Length: > 0 and <= 100 } text && !text.Any(char.IsControl) && !text.Contains('/'):
                return text;
            case JsonValueKind.String:
                problems.Invalid("entity.id: must be 1 to 100 characters without '/' or control characters");
                return null;
            default:
                problems.Malformed("entity.id: must be a number");
                return null;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Problems by class: malformed (400), missing (400) and invalid (422).</summary>
    private sealed class Problems
    {
        private readonly List<string> _messages = [];
        private bool _malformed;
        private bool _missing;

        public bool Any => _messages.Count > 0;

        public void Malformed(string message) { _malformed = true; _messages.Add(message); }
        public void Missing(string message) { _missing = true; _messages.Add(message); }
        public void Invalid(string message) => _messages.Add(message);

        public KciValidation ToValidation(ValidatedKci? kci) => _malformed
            ? new(kci, StatusCodes.Status400BadRequest, KciErrorCodes.MalformedRequest, _messages)
            : _missing
                ? new(kci, StatusCodes.Status400BadRequest, KciErrorCodes.InvalidRequest, _messages)
                : new(kci, StatusCodes.Status422UnprocessableEntity, KciErrorCodes.InvalidRequest, _messages);
    }
}
