using System.Text.Json;
using System.Text.Json.Serialization;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Erp;

/// <summary>The kinds of posting StockSync sends to the ERP.</summary>
public static class ErpPostingKind
{
    /// <summary>Units sold (a till or online sale recorded at a location).</summary>
    public const string Sale = "Sale";

    /// <summary>Units a customer returned (received into quarantine).</summary>
    public const string Return = "Return";

    /// <summary>A stock correction with its reason code (shrink, found, damage, a short pick written off).</summary>
    public const string Adjustment = "Adjustment";

    /// <summary>An order's shipment leaving a location (the sagas' <see cref="ErpPostingRequested"/>).</summary>
    public const string Shipment = "Shipment";
}

/// <summary>
/// One posting as the ERP receives it. StockSync's ERP wire format: canonical SKU and location ids, quantities in
/// each. A per-ERP mapping (external item numbers, units of measure from <c>external_ids</c>) belongs in the client.
/// </summary>
public sealed record ErpPostingDocument
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable in erp_postings.payload ("+01:00", not "\u002B01:00"); it is never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The posting's stable id: the ERP posts a repeated id once.</summary>
    public required string PostingId { get; init; }

    /// <summary>One of <see cref="ErpPostingKind"/>, or what a saga asked for.</summary>
    public required string Kind { get; init; }

    /// <summary>When the movement happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The location the stock left or entered.</summary>
    public required string LocationId { get; init; }

    /// <summary>The order, if any.</summary>
    public string? OrderId { get; init; }

    /// <summary>The document: transaction, return, shipment.</summary>
    public string? Reference { get; init; }

    /// <summary>The reason code of an adjustment.</summary>
    public string? ReasonCode { get; init; }

    /// <summary>The movement behind the posting (source system and message id), when it came from the ledger.</summary>
    public ErpPostingSource? Source { get; init; }

    /// <summary>The units, per SKU (signed for adjustments).</summary>
    public required IReadOnlyList<ErpPostingLine> Lines { get; init; }

    /// <summary>The document as stored in <c>erp_postings.payload</c> and sent to the ERP.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The posting for a movement the ledger applied, or null when the ERP does not take it: movement types other than
    /// sales, returns, adjustments of physical stock (OnHand or Damaged; safety stock is StockSync's own buffer) and
    /// returned units sent back to the vendor or disposed of, and movements that came from an excluded source (the
    /// ERP's own).
    /// </summary>
    public static ErpPostingDocument? For(AppliedMovement movement, IReadOnlyList<string> excludedSources)
    {
        ArgumentNullException.ThrowIfNull(movement);
        ArgumentNullException.ThrowIfNull(excludedSources);
        if (excludedSources.Contains(movement.SourceSystem, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var kind = movement.MovementType switch
        {
            nameof(SaleRecorded) => ErpPostingKind.Sale,
            nameof(ReturnReceived) => ErpPostingKind.Return,
            nameof(InventoryAdjusted) when movement.Bucket is null or InventoryBucket.OnHand or InventoryBucket.Damaged => ErpPostingKind.Adjustment,
            nameof(QuarantineDispositioned) when movement.Disposition is QuarantineDisposition.ReturnToVendor or QuarantineDisposition.Dispose => ErpPostingKind.Adjustment,
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        if (movement.MovementType == nameof(QuarantineDispositioned))
        {
            // Returned units sent back to the vendor or disposed of leave the stock: the ERP books them out like a
            // write-off, with the disposition as the reason (restocked or damaged units stay on hand: nothing to post).
            return new ErpPostingDocument
            {
                PostingId = $"disposition:{movement.SourceSystem}:{movement.SourceMessageId}",
                Kind = kind,
                OccurredAt = movement.OccurredAt,
                LocationId = movement.LocationId,
                Reference = movement.Reference,
                ReasonCode = movement.Disposition == QuarantineDisposition.ReturnToVendor ? "RETURN_TO_VENDOR" : "DISPOSED",
                Source = new ErpPostingSource { System = movement.SourceSystem, MessageId = movement.SourceMessageId },
                Lines = [new ErpPostingLine { Sku = movement.Sku, Quantity = -movement.Quantity, Bucket = nameof(InventoryBucket.OnHand) }],
            };
        }

        return new ErpPostingDocument
        {
            PostingId = $"{kind.ToLowerInvariant()}:{movement.SourceSystem}:{movement.SourceMessageId}",
            Kind = kind,
            OccurredAt = movement.OccurredAt,
            LocationId = movement.LocationId,
            Reference = movement.Reference,
            ReasonCode = movement.ReasonCode,
            Source = new ErpPostingSource { System = movement.SourceSystem, MessageId = movement.SourceMessageId },
            Lines = [new ErpPostingLine { Sku = movement.Sku, Quantity = movement.Quantity, Bucket = kind == ErpPostingKind.Adjustment ? (movement.Bucket ?? InventoryBucket.OnHand).ToString() : null }],
        };
    }

    /// <summary>The posting a saga requested (a shipment, an inspected return).</summary>
    public static ErpPostingDocument For(ErpPostingRequested request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ErpPostingDocument
        {
            PostingId = request.PostingId,
            Kind = request.Kind,
            OccurredAt = request.OccurredAt,
            LocationId = request.LocationId,
            OrderId = request.OrderId,
            Reference = request.Reference,
            Lines = [.. request.Lines.Select(l => new ErpPostingLine { Sku = l.Sku, Quantity = l.Quantity })],
        };
    }
}

/// <summary>The movement behind a posting.</summary>
public sealed record ErpPostingSource
{
    public required string System { get; init; }

    public required string MessageId { get; init; }
}

/// <summary>One SKU's units in a posting.</summary>
public sealed record ErpPostingLine
{
    public required string Sku { get; init; }

    public required int Quantity { get; init; }

    /// <summary>For an adjustment: the bucket (<c>OnHand</c> or <c>Damaged</c>).</summary>
    public string? Bucket { get; init; }
}
