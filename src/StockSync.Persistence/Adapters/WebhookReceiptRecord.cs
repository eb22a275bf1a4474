using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Configuration;

namespace StockSync.Persistence.Adapters;

/// <summary>
/// One webhook an external system delivered and StockSync accepted (<c>webhook_receipts</c>). The row is inserted in the
/// same transaction as the outbox row that carries the webhook's raw payload on to its consumer, and its primary key
/// (source, webhook id) is what makes a re-delivered webhook a no-op: a second insert of the same id fails, also when
/// two deliveries race, and the second delivery is answered as a duplicate without any effect.
/// </summary>
public sealed class WebhookReceiptRecord
{
    /// <summary>The system that sent it, e.g. <c>shopify</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The sender's id of the delivery (Shopify: <c>X-Shopify-Webhook-Id</c>), the same on every re-delivery.</summary>
    public required string WebhookId { get; set; }

    /// <summary>The webhook's topic, e.g. <c>orders/create</c>.</summary>
    public required string Topic { get; set; }

    /// <summary>When StockSync accepted it.</summary>
    public DateTime ReceivedAt { get; set; }

    /// <summary>When the sender says the event happened (Shopify: <c>X-Shopify-Triggered-At</c>), if it said.</summary>
    public DateTime? TriggeredAt { get; set; }

    /// <summary>The size of the raw body in bytes (the body itself travels in the outbox message, and faults with it).</summary>
    public int BodyBytes { get; set; }
}

internal sealed class WebhookReceiptMap : IEntityTypeConfiguration<WebhookReceiptRecord>
{
    public void Configure(EntityTypeBuilder<WebhookReceiptRecord> builder)
    {
        builder.ToTable("WebhookReceipts");
        builder.HasKey(e => new { e.Source, e.WebhookId });
        builder.Property(e => e.Source).HasMaxLength(64);
        builder.Property(e => e.WebhookId).HasMaxLength(Lengths.Id);
        builder.Property(e => e.Topic).HasMaxLength(64);
        builder.HasIndex(e => e.ReceivedAt);
    }
}
