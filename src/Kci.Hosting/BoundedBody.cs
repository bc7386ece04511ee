namespace Kci.Hosting;

/// <summary>
/// Reads a body that must stay under a limit: refused on its declared length before a byte is read, and as soon as
/// the bytes read pass the limit, so a hostile or broken peer never makes us buffer more than the limit. Used for what
/// the gateway posts to the ingress and for what its order read answers to the sequencer.
/// </summary>
public static class BoundedBody
{
    /// <summary>The body's bytes, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long? declaredLength, int maxBytes, CancellationToken cancellationToken)
    {
        if (declaredLength > maxBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > maxBytes)
                return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}
