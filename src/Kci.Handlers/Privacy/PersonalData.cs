using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kci.Handlers.Privacy;

/// <summary>
/// Names, e-mail addresses and phone numbers in what the gateway sends (docs/operations.md, "Personal data"): every string
/// of a contact object (<c>primaryContact</c>, <c>secondaryContact</c>, any property named <c>…contact</c> or <c>contacts</c>),
/// every property named like a person's name, e-mail or phone (a bare <c>name</c> only inside a contact: products and
/// characteristics have names too), and any e-mail address or phone number written into free
/// text such as supplier notes. <see cref="Mask(string?)"/> shows the console's masked form; <see cref="Redact(string?)"/> is
/// what the retention job leaves.
/// </summary>
public static partial class PersonalData
{
    private static readonly HashSet<string> PersonalKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "firstName", "lastName", "surname", "forename", "fullName", "contactName", "email", "emailAddress",
        "phone", "phoneNumber", "telephone", "telephoneNumber", "mobile", "mobileNumber", "contactNumber", "contactPhone",
    };

    /// <summary>A masked copy of a JSON document: the first character of each personal value, then dots; other values as they are.</summary>
    public static string? Mask(string? json) => Rewrite(json, MaskValue);

    /// <summary>A copy with every personal value replaced by <c>[redacted]</c>, and free text cleared of e-mails and phone numbers.</summary>
    public static string? Redact(string? json) => Rewrite(json, _ => "[redacted]");

    /// <summary>Free text with the e-mail addresses and phone numbers it holds masked.</summary>
    public static string? MaskText(string? text) => text is null ? null : InText(text, MaskValue);

    /// <summary>Free text with the e-mail addresses and phone numbers it holds replaced by <c>[redacted]</c>.</summary>
    public static string? RedactText(string? text) => text is null ? null : InText(text, _ => "[redacted]");

    private static string MaskValue(string value) => value.Length switch
    {
        0 => value,
        _ when value.Contains('@', StringComparison.Ordinal) => $"{value[0]}•••@•••",
        _ when PhoneNumber().IsMatch(value) => $"•••{new string([.. value.Where(char.IsDigit).TakeLast(2)])}",
        _ => $"{value[0]}•••",
    };

    private static string? Rewrite(string? json, Func<string, string> replace)
    {
        if (string.IsNullOrEmpty(json))
            return json;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return InText(json, replace); // not JSON (a stored fragment): treat it as text
        }
        if (root is null)
            return json;
        Walk(root, personal: false, replace);
        return root.ToJsonString();
    }

    private static void Walk(JsonNode node, bool personal, Func<string, string> replace)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (child is null)
                        continue;
                    var childPersonal = personal || IsContact(key) || PersonalKeys.Contains(key) && child is JsonValue;
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                        obj[key] = childPersonal ? replace(text) : InText(text, replace);
                    else
                        Walk(child, childPersonal, replace);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                        array[i] = personal ? replace(text) : InText(text, replace);
                    else if (array[i] is { } child)
                        Walk(child, personal, replace);
                }
                break;
        }
    }

    private static bool IsContact(string key) =>
        key.EndsWith("contact", StringComparison.OrdinalIgnoreCase) || key.Equals("contacts", StringComparison.OrdinalIgnoreCase);

    private static string InText(string text, Func<string, string> replace)
    {
        var masked = Email().Replace(text, m => replace(m.Value));
        return PhoneInText().Replace(masked, m => replace(m.Value));
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    /// <summary>A UK number as people write it: +44 or 0, then 9 or 10 more digits with spaces, dashes or brackets.</summary>
    [GeneratedRegex(@"(?<![\w])(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w])")]
    private static partial Regex PhoneInText();

    [GeneratedRegex(@"^\s*(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\s*$")]
    private static partial Regex PhoneNumber();
}
