using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Kci.Handlers.Recording;

/// <summary>
/// Values derived from a KCI body for display, search and indexes, made safe for PostgreSQL and for a screen. The body
/// itself is kept as it came (the timeline's <c>body</c>): valid JSON text never holds a raw NUL or control character,
/// only their escapes, so <c>text</c> stores it byte for byte. What is decoded from it is not so lucky: PostgreSQL's
/// <c>text</c> refuses NUL and <c>jsonb</c> refuses <c>\u0000</c>, a bidirectional override can make a screen lie, and a
/// 200 KB status would not fit a btree index. So each derived value:
/// <list type="bullet">
/// <item>loses NUL, C0/C1 control characters other than tab and line breaks (each becomes a space), and the
/// bidirectional embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069);</item>
/// <item>has any unpaired surrogate replaced by U+FFFD;</item>
/// <item>is cut to a length that fits its column's purpose (<see cref="ShortValue"/> for codes and statuses, <see cref="LongText"/>
/// for free text).</item>
/// </list>
/// </summary>
public static class DisplayText
{
    /// <summary>Codes, statuses, types, order numbers: fit an index and a table cell.</summary>
    public const int ShortValue = 200;

    /// <summary>Free text (a payload's text, joined error messages).</summary>
    public const int LongText = 4000;

    public static string? Clean(string? value, int maxLength)
    {
        if (value is null)
            return null;
        if (!NeedsCleaning(value) && value.Length <= maxLength)
            return value;
        var text = new StringBuilder(Math.Min(value.Length, maxLength));
        for (var i = 0; i < value.Length && text.Length < maxLength; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (text.Length + 2 > maxLength)
                    break;
                text.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
                text.Append('\uFFFD');
            else if (c == '\0' || IsBidiControl(c))
                continue;
            else if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                text.Append(' ');
            else
                text.Append(c);
        }
        if (text.Length < value.Length && text.Length >= maxLength)
            text.Append('…');
        return text.ToString();
    }

    /// <summary>A JSON value (the entity, the supplier notes) rewritten with every string and property name cleaned, for <c>jsonb</c>.</summary>
    public static string? CleanJson(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
            return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, element);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(Clean(property.Name, int.MaxValue)!);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                    Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(Clean(element.GetString(), int.MaxValue));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static bool NeedsCleaning(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || IsBidiControl(c))
                return true;
        }
        return false;
    }

    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
