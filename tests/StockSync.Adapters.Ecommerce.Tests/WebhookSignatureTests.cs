using System.Text;
using StockSync.Adapters.Ecommerce.Webhooks;

namespace StockSync.Adapters.Ecommerce.Tests;

/// <summary>The storefront's webhook signature: base64(HMAC-SHA256(secret, raw body)), compared in constant time.</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "shpss_test_secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":820982911946154508,\"email\":\"jon@example.com\"}");

    // Computed independently (Python's hmac module) for this secret and body.
    private const string KnownSignature = "LnwdZPLBbdjkBwPD/lDL1/rYEGby/GHPtL1aAH6Dxjc=";

    [Fact]
    public void A_body_signed_with_the_shared_secret_is_accepted()
    {
        Assert.Equal(KnownSignature, WebhookSignature.Sign(Secret, Body));
        Assert.True(WebhookSignature.IsValid(Secret, Body, KnownSignature));
        Assert.True(WebhookSignature.IsValid(Secret, Body, $"  {KnownSignature} "));
    }

    [Fact]
    public void A_signature_made_with_another_secret_is_refused()
    {
        var forged = WebhookSignature.Sign("not-the-secret", Body);
        Assert.False(WebhookSignature.IsValid(Secret, Body, forged));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_signature_is_refused(string? header) =>
        Assert.False(WebhookSignature.IsValid(Secret, Body, header));

    [Fact]
    public void A_tampered_body_is_refused()
    {
        var tampered = (byte[])Body.Clone();
        tampered[7] ^= 0x01; // one bit of the order id
        Assert.False(WebhookSignature.IsValid(Secret, tampered, KnownSignature));

        // The same JSON, re-serialised with a space: the signature covers the raw bytes, not the meaning.
        var reformatted = Encoding.UTF8.GetBytes("{\"id\": 820982911946154508,\"email\":\"jon@example.com\"}");
        Assert.False(WebhookSignature.IsValid(Secret, reformatted, KnownSignature));

        // A body cut short, or with bytes appended.
        Assert.False(WebhookSignature.IsValid(Secret, Body.AsSpan(0, Body.Length - 1), KnownSignature));
        Assert.False(WebhookSignature.IsValid(Secret, [.. Body, (byte)' '], KnownSignature));
    }

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("LnwdZPLBbdjkBwPD/lDL1/rYEGby/GHPtL1aAH6D")] // truncated
    [InlineData("LnwdZPLBbdjkBwPD/lDL1/rYEGby/GHPtL1aAH6DxjcLnwdZPLBbdjk=")] // too long
    [InlineData("MnwdZPLBbdjkBwPD/lDL1/rYEGby/GHPtL1aAH6Dxjc=")] // one character off
    public void A_malformed_or_wrong_signature_is_refused(string header) =>
        Assert.False(WebhookSignature.IsValid(Secret, Body, header));

    [Fact]
    public void An_empty_body_is_signed_like_any_other()
    {
        var signature = WebhookSignature.Sign(Secret, []);
        Assert.True(WebhookSignature.IsValid(Secret, [], signature));
        Assert.False(WebhookSignature.IsValid(Secret, Body, signature));
    }
}
