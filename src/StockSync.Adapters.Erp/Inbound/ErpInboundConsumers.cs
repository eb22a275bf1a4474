using System.Text.Json;
using MassTransit;
using StockSync.Contracts.Inventory;
using StockSync.Persistence.Mapping;
using StockSync.Persistence.Reconciliation;
using StockSync.Persistence.Telemetry;

namespace StockSync.Adapters.Erp.Inbound;

/// <summary>A document or snapshot the adapter cannot take in as it is; the message faults with this reason, no retry.</summary>
public sealed class MalformedErpDocumentException : Exception
{
    public MalformedErpDocumentException()
    {
    }

    public MalformedErpDocumentException(string message)
        : base(message)
    {
    }

    public MalformedErpDocumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Turns an ERP document into canonical movements, in the ERP's own source (<c>erp</c>, never posted back to it):
/// a PO receipt line is a <see cref="ReceiptPosted"/>, a transfer shipment line a <see cref="TransferShipped"/> at the
/// shipping site, a transfer receipt line a <see cref="TransferReceived"/> at the receiving site. Quantities in the
/// item's order unit are converted to eaches. Each movement's id is the document type, number and line, so the ledger
/// applies each line once however often the document is read. An unmapped item or site faults the document, which
/// waits in the error queue with its raw JSON until the master data (or a mapping) arrives and it is replayed.
/// </summary>
public sealed class ErpDocumentConsumer(ExternalIds ids) : IConsumer<ErpDocumentDownloaded>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ErpDocumentDownloaded> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        var what = $"ERP {m.DocumentType} {m.DocumentNumber} (read from {m.ReadFrom})";
        var document = Parse(m.RawJson, what);
        if (!ErpDocumentType.All.Contains(document.DocumentType, StringComparer.Ordinal))
        {
            throw new MalformedErpDocumentException($"{what} has documentType '{document.DocumentType}'; expected one of {string.Join(", ", ErpDocumentType.All)}.");
        }

        var site = await ids.RequireLocationAsync(ErpMasterData.System, Required(document.SiteCode, what, "siteCode"), context.CancellationToken).ConfigureAwait(false);
        var other = document.DocumentType == ErpDocumentType.PurchaseReceipt
            ? null
            : await ids.RequireLocationAsync(ErpMasterData.System, Required(document.OtherSiteCode, what, "otherSiteCode"), context.CancellationToken).ConfigureAwait(false);
        var lines = document.Lines is { Count: > 0 } l ? l : throw new MalformedErpDocumentException($"{what} has no lines.");
        var movements = new List<StockMovement>();
        foreach (var line in lines)
        {
            var where = $"{what} line {line.LineNumber}";
            if (line.Quantity <= 0)
            {
                throw new MalformedErpDocumentException($"{where} has quantity {line.Quantity}; it must be positive.");
            }

            var item = await ids.RequireSkuAsync(ErpMasterData.System, Required(line.ItemNumber, where, "itemNumber"), context.CancellationToken).ConfigureAwait(false);
            var quantity = string.Equals(line.Unit ?? "EA", "EA", StringComparison.OrdinalIgnoreCase) ? line.Quantity : Convert(item, line.Quantity, where);
            movements.Add(Movement(document, line.LineNumber, site, other, item.Sku, quantity));
        }

        if (movements.Select(mv => mv.SourceMessageId).Distinct(StringComparer.Ordinal).Count() != movements.Count)
        {
            throw new MalformedErpDocumentException($"{what} numbers two lines alike; every line needs its own lineNumber.");
        }

        foreach (var movement in movements)
        {
            await context.Publish(movement, movement.GetType(), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static StockMovement Movement(ErpDocument document, int lineNumber, string site, string? other, string sku, int quantity)
    {
        var id = $"{document.DocumentType}:{document.DocumentNumber}:{lineNumber}";
        return document.DocumentType switch
        {
            ErpDocumentType.PurchaseReceipt => new ReceiptPosted
            {
                SourceSystem = ErpMasterData.System, SourceMessageId = id, OccurredAt = document.OccurredAt, Sku = sku, LocationId = site, Quantity = quantity,
                PurchaseOrderId = document.DocumentNumber,
            },
            ErpDocumentType.TransferShipment => new TransferShipped
            {
                SourceSystem = ErpMasterData.System, SourceMessageId = id, OccurredAt = document.OccurredAt, Sku = sku, LocationId = site, Quantity = quantity,
                TransferId = document.DocumentNumber!, DestinationLocationId = other!,
            },
            _ => new TransferReceived
            {
                SourceSystem = ErpMasterData.System, SourceMessageId = id, OccurredAt = document.OccurredAt, Sku = sku, LocationId = site, Quantity = quantity,
                TransferId = document.DocumentNumber!, OriginLocationId = other!,
            },
        };
    }

    private static int Convert(MappedSku item, int quantity, string where)
    {
        try
        {
            return item.ToCanonical(quantity);
        }
        catch (OverflowException)
        {
            throw new MalformedErpDocumentException($"{where}: {quantity} × {item.UnitsPerExternal} eaches is too large a quantity.");
        }
    }

    private static ErpDocument Parse(string json, string what)
    {
        try
        {
            var document = JsonSerializer.Deserialize<ErpDocument>(json, ErpJson.Options) ?? throw new MalformedErpDocumentException($"{what} is empty.");
            Required(document.DocumentNumber, what, "documentNumber");
            return document.OccurredAt == default ? throw new MalformedErpDocumentException($"{what} has no occurredAt.") : document;
        }
        catch (JsonException ex)
        {
            throw new MalformedErpDocumentException($"{what} is not a document in the ERP's JSON: {ex.Message}", ex);
        }
    }

    internal static string Required(string? value, string where, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new MalformedErpDocumentException($"{where} has no {field}.") : value;
}

/// <summary>
/// Stores one part of an ERP stock snapshot in canonical ids (<c>stock_snapshots</c>, <c>stock_snapshot_lines</c>);
/// with the last part, reconciles the snapshot against the ledger and publishes <see cref="ReconciliationCompleted"/>.
/// An unmapped item or site faults the part (raw lines kept) until the master data arrives.
/// </summary>
public sealed class ErpSnapshotConsumer(ExternalIds ids, StockSnapshots snapshots, StockSync.Persistence.StockSyncDbContext db, TimeProvider time, StockSyncMetrics metrics)
    : IConsumer<ErpSnapshotPartDownloaded>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ErpSnapshotPartDownloaded> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        var what = $"ERP snapshot {m.SnapshotId} part {m.Part} of {m.Parts} (read from {m.ReadFrom})";
        List<ErpSnapshotLine> raw;
        try
        {
            raw = JsonSerializer.Deserialize<List<ErpSnapshotLine>>(m.RawJson, ErpJson.Options) ?? [];
        }
        catch (JsonException ex)
        {
            throw new MalformedErpDocumentException($"{what} is not a list of snapshot lines: {ex.Message}", ex);
        }

        var lines = new List<SnapshotLine>(raw.Count);
        foreach (var line in raw)
        {
            var site = await ids.RequireLocationAsync(ErpMasterData.System, ErpDocumentConsumer.Required(line.SiteCode, what, "siteCode"), context.CancellationToken).ConfigureAwait(false);
            var item = await ids.RequireSkuAsync(ErpMasterData.System, ErpDocumentConsumer.Required(line.ItemNumber, what, "itemNumber"), context.CancellationToken).ConfigureAwait(false);
            lines.Add(new SnapshotLine(item.Sku, site, line.OnHand));
        }

        SnapshotPartOutcome outcome;
        try
        {
            outcome = await snapshots.AddPartAsync(m.SnapshotId, ErpMasterData.System, m.TakenAt, m.Part, m.Parts, lines, context.CancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new MalformedErpDocumentException($"{what}: {ex.Message}", ex);
        }

        if (outcome == SnapshotPartOutcome.Completed)
        {
            // The last part: reconcile now, inside this transaction (the save makes the part visible to the comparison),
            // and publish the result with it.
            await db.SaveChangesAsync(context.CancellationToken).ConfigureAwait(false);
            var comparison = await snapshots.CompareAsync(m.SnapshotId, context.CancellationToken).ConfigureAwait(false);
            var completed = comparison!.ToEvent(time.GetUtcNow());
            await context.Publish(completed, context.CancellationToken).ConfigureAwait(false);
            metrics.ReconciliationCompleted(completed);
        }
    }
}

/// <summary>
/// The <c>erp-documents</c> endpoint: the StockSync inbox and outbox; a malformed document faults at once, an unmapped
/// one after a few seconds of retries.
/// </summary>
public sealed class ErpDocumentConsumerDefinition : ConsumerDefinition<ErpDocumentConsumer>
{
    public ErpDocumentConsumerDefinition()
    {
        EndpointName = "erp-documents";
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ErpDocumentConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ErpInboundEndpoints.Configure(endpointConfigurator, context);
    }
}

/// <summary>
/// The <c>erp-snapshots</c> endpoint: one part at a time (the parts of a snapshot count up one header row), with the
/// StockSync inbox and outbox; a malformed or unmapped part faults without retry.
/// </summary>
public sealed class ErpSnapshotConsumerDefinition : ConsumerDefinition<ErpSnapshotConsumer>
{
    public ErpSnapshotConsumerDefinition()
    {
        EndpointName = "erp-snapshots";
        ConcurrentMessageLimit = 1;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ErpSnapshotConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ErpInboundEndpoints.Configure(endpointConfigurator, context);
    }
}

internal static class ErpInboundEndpoints
{
    public static void Configure(IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        // An unmapped id is retried too, for a few seconds: a document read from the drop folder may name an item the
        // next poll of the master brings. After that it faults, raw document kept, until the master or a mapping has it.
        endpoint.UseMessageRetry(r =>
        {
            r.Ignore<MalformedErpDocumentException>();
            r.Intervals(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        });
        endpoint.UseStockSyncEntityFrameworkOutbox(context);
    }
}
