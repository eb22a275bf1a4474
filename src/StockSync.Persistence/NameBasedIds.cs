using System.Security.Cryptography;
using System.Text;

namespace StockSync.Persistence;

/// <summary>
/// Deterministic ids: the same name gives the same UUID on every replica and every run (the first 16 bytes of its
/// SHA-256, marked as a version 8, RFC 9562 UUID). Saga correlation ids, and message ids that make a re-delivered
/// external event the same message, are built with it.
/// </summary>
public static class NameBasedIds
{
    /// <summary>The UUID of <paramref name="name"/>.</summary>
    public static Guid Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16].ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8 (custom, name-based), in Guid's little-endian layout
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes);
    }
}
