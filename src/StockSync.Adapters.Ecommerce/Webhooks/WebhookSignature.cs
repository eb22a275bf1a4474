using System.Security.Cryptography;
using System.Text;

namespace StockSync.Adapters.Ecommerce.Webhooks;

/// <summary>
/// Shopify's webhook signature: <c>X-Shopify-Hmac-Sha256</c> = base64(HMAC-SHA256(secret, raw body bytes)). It is
/// computed over the bytes exactly as received (never over re-serialised JSON) and compared in constant time, so the
/// time a refusal takes says nothing about how much of a forged signature was right.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header carrying the signature.</summary>
    public const string Header = "X-Shopify-Hmac-Sha256";

    /// <summary>The signature of <paramref name="body"/> with <paramref name="secret"/>, as the header carries it.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>
    /// Whether <paramref name="header"/> is the signature of <paramref name="body"/> with <paramref name="secret"/>. A
    /// missing, empty or malformed header is not; the comparison of well-formed ones takes the same time whatever they hold.
    /// </summary>
    public static bool IsValid(string secret, ReadOnlySpan<byte> body, string? header)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrWhiteSpace(header))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(header.Trim(), presented, out var written) || written != HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }
}
