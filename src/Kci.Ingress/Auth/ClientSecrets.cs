using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Kci.Ingress.Auth;

/// <summary>Client credentials as HTTP Basic carries them, and their check against configured secrets.</summary>
internal static class ClientSecrets
{
    /// <summary>
    /// Reads <c>Authorization: Basic base64(id:secret)</c>. <paramref name="isBasic"/> tells whether the header
    /// was Basic at all; the result is null when it was not, or could not be read.
    /// </summary>
    public static (string Id, string Secret)? FromBasicHeader(string? authorization, out bool isBasic, bool formEncoded = false)
    {
        isBasic = false;
        if (!AuthenticationHeaderValue.TryParse(authorization, out var header)
            || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            return null;
        isBasic = true;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? "")).Split(':', 2);
            if (pair.Length != 2)
                return null;
            // RFC 6749 section 2.3.1: in the token endpoint both parts are form-url-encoded inside the header.
            return formEncoded ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : (pair[0], pair[1]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="secret"/> is <paramref name="id"/>'s, compared in constant time.</summary>
    public static bool Match(IReadOnlyDictionary<string, string> secrets, string id, string secret) =>
        secrets.TryGetValue(id, out var expected)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(secret));
}
