using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Kci.GatewaySimulator.GatewayApi;

/// <summary>
/// The simulated gateway's OAuth2 client credentials (RFC 6749 4.4): one client, opaque random tokens kept in memory
/// until they expire. The real gateway issues one-hour JWTs (shared/spec "Transport"); a tenant must treat them as
/// opaque anyway.
/// </summary>
public sealed class TenantTokens(string clientId, string clientSecret, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);
    private int _count;

    public int Issued => Volatile.Read(ref _count);

    public bool IsClient(string? id, string? secret) =>
        id is not null && secret is not null && SameText(id, clientId) && SameText(secret, clientSecret);

    public string Issue()
    {
        var now = clock.GetUtcNow();
        foreach (var (old, expires) in _issued)
            if (expires <= now)
                _issued.TryRemove(old, out _);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _issued[token] = now + Lifetime;
        Interlocked.Increment(ref _count);
        return token;
    }

    public bool IsValid(string token) => _issued.TryGetValue(token, out var expires) && clock.GetUtcNow() < expires;

    private static bool SameText(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
