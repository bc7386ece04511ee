using System.Security.Cryptography;
using System.Text;

namespace Kci.Hosting;

/// <summary>
/// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same name always gives the same id, so an order key
/// or a conversation id that is not a UUID still maps to one stable correlation id.
/// </summary>
public static class NameBasedGuid
{
    /// <summary>The namespace of every id Kci derives (a fixed random UUID of ours).</summary>
    private static readonly Guid KciNamespace = new("6f1e0d53-9a57-4c1b-8d0e-2b8f4a1c7e90");

    public static Guid Create(string name) => Create(KciNamespace, name);

    public static Guid Create(Guid namespaceId, string name)
    {
        Span<byte> ns = stackalloc byte[16];
        namespaceId.TryWriteBytes(ns, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name); // before the hash is touched: nothing can leave it half fed
        var sha1 = _sha1 ??= NewSha1();
        sha1.AppendData(ns);
        sha1.AppendData(nameBytes);

        Span<byte> hash = stackalloc byte[20];
        sha1.GetHashAndReset(hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>
    /// One SHA-1 per thread, reset after each use: a one-shot hash sets the algorithm up again on every call, which cost the
    /// ingress a few per cent of its CPU (several ids per request).
    /// </summary>
    [ThreadStatic] private static IncrementalHash? _sha1;

#pragma warning disable CA5350 // RFC 9562 version 5 is defined on SHA-1; the id is a name, not a secret
    private static IncrementalHash NewSha1() => IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning restore CA5350

    /// <summary>The saga correlation id of an order: stable across conversations and instances.</summary>
    public static Guid ForOrder(string entityType, string entityId) => Create($"order:{entityType}/{entityId}");

    /// <summary>A conversation id as a UUID: as is when it is one, otherwise name-based.</summary>
    public static Guid ForConversation(string conversationId) =>
        Guid.TryParse(conversationId, out var id) ? id : Create($"conversation:{conversationId}");
}
