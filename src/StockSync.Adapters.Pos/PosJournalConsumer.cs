using MassTransit;
using Microsoft.Extensions.Logging;
using StockSync.Contracts.Orders;
using StockSync.Inventory;
using StockSync.Persistence.Ledger;
using StockSync.Persistence.Mapping;

namespace StockSync.Adapters.Pos;

/// <summary>
/// Processes an uploaded journal batch in one transaction (its endpoint runs behind the StockSync inbox and outbox):
/// maps the store number and barcodes, records every entry's sequence number in the store's sequence bookkeeping
/// (publishing <c>SequenceGapDetected</c> for numbers skipped), and publishes each entry's movements and, once per
/// entry, its handover. What it publishes commits with the bookkeeping, or none of it does.
/// An unmapped store or barcode faults the whole batch, untouched, to <c>pos-journals_error</c> with the ids to map;
/// nothing of it applies until it is replayed.
/// </summary>
public sealed partial class PosJournalConsumer(ExternalIds ids, SourceSequences sequences, ILogger<PosJournalConsumer> logger) : IConsumer<PosJournalUploaded>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<PosJournalUploaded> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message;
        var ct = context.CancellationToken;
        if (PosJournalValidator.Validate(batch.StoreNumber, batch.Entries) is { Count: > 0 } problems)
        {
            throw new PosJournalRejectedException($"Journal batch {batch.BatchId} of store {batch.StoreNumber} is not valid: {string.Join("; ", problems)}");
        }

        var (location, skus) = await ResolveAsync(batch, ct).ConfigureAwait(false);
        var effects = PosJournalMapping.Map(batch.StoreNumber, location, batch.Entries, skus);
        var source = PosJournalMapping.SourceSystemFor(location);

        // Every entry's number, handovers included: a number that carries no movement is not missing.
        var observed = await sequences.ObserveAsync(source, [.. effects.Select(e => e.Entry.Sequence)], ct).ConfigureAwait(false);
        foreach (var gap in observed.GapsOpened)
        {
            LogGap(logger, batch.StoreNumber, location, gap.FirstMissing, gap.LastMissing);
            await context.Publish(gap, ct).ConfigureAwait(false);
        }

        var movements = 0;
        var handovers = 0;
        foreach (var entry in effects)
        {
            foreach (var movement in entry.Movements)
            {
                // The ledger applies each (source, message id) once: a repeated entry's movements are no-ops there.
                await context.Publish(movement, movement.GetType(), ct).ConfigureAwait(false);
                movements++;
            }

            if (entry.Handover is { } handover
                && await sequences.TryRecordMessageAsync(source, handover.SourceMessageId, nameof(OrderCollected), ct).ConfigureAwait(false))
            {
                await context.Publish(handover.Message, ct).ConfigureAwait(false);
                handovers++;
            }
        }

        var repeated = observed.Kinds.Count(k => k == SequenceObservationKind.AlreadySeen);
        LogProcessed(logger, batch.BatchId, batch.StoreNumber, location, effects.Count, effects[0].Entry.Sequence, effects[^1].Entry.Sequence, repeated, movements, handovers);
    }

    private async Task<(string Location, Dictionary<string, MappedSku> Skus)> ResolveAsync(PosJournalUploaded batch, CancellationToken ct)
    {
        var unmapped = new List<(string Kind, string Id)>();
        var location = await ids.FindLocationAsync(PosJournalMapping.System, batch.StoreNumber, ct).ConfigureAwait(false);
        if (location is null)
        {
            unmapped.Add((ExternalIdKind.Location, batch.StoreNumber));
        }

        var skus = new Dictionary<string, MappedSku>(StringComparer.Ordinal);
        foreach (var barcode in batch.Entries.SelectMany(e => e.Lines ?? []).Select(l => l.Barcode).Distinct(StringComparer.Ordinal))
        {
            if (await ids.FindSkuAsync(PosJournalMapping.System, barcode, ct).ConfigureAwait(false) is { } sku)
            {
                skus[barcode] = sku;
            }
            else
            {
                unmapped.Add((ExternalIdKind.Sku, barcode));
            }
        }

        return unmapped switch
        {
            [] => (location!, skus),
            [var (kind, id)] => throw new UnmappedIdException(PosJournalMapping.System, kind, id),
            _ => throw new UnmappedIdException(
                $"{unmapped.Count} {PosJournalMapping.System} ids of journal batch {batch.BatchId} (store {batch.StoreNumber}) have no mapping to a canonical id: " +
                $"{string.Join(", ", unmapped.Select(u => $"{u.Kind.ToLowerInvariant()} '{u.Id}'"))}. Add them " +
                $"({string.Join(", ", unmapped.Select(u => $"PUT /mappings/{PosJournalMapping.System}/{(u.Kind == ExternalIdKind.Sku ? "skus" : "locations")}/{u.Id}"))}, or in the ERP master data), " +
                "then replay the message from the error queue."),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store {StoreNumber} ({LocationId}) skipped journal sequence numbers {FirstMissing}-{LastMissing}: reported as a gap until they arrive")]
    private static partial void LogGap(ILogger logger, string storeNumber, string locationId, long firstMissing, long lastMissing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal batch {BatchId} of store {StoreNumber} ({LocationId}): {Entries} entries {FirstSequence}-{LastSequence}, {Repeated} seen before; published {Movements} movements and {Handovers} handovers")]
    private static partial void LogProcessed(ILogger logger, Guid batchId, string storeNumber, string locationId, int entries, long firstSequence, long lastSequence, int repeated, int movements, int handovers);
}

/// <summary>
/// The journal endpoint (<c>pos-journals</c>): batches of different stores are processed in parallel, one store's one
/// at a time (partitioned by store number: they would only race on the store's sequence row); retries sit outside the
/// inbox/outbox, for conflicts (two replicas) and transient database errors; an unmapped id or an invalid batch
/// faults at once.
/// </summary>
public sealed class PosJournalConsumerDefinition : ConsumerDefinition<PosJournalConsumer>
{
    /// <summary>The queue's name.</summary>
    public const string Queue = "pos-journals";

    private const int Partitions = 8;

    public PosJournalConsumerDefinition()
    {
        EndpointName = Queue;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PosJournalConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(context);
        endpointConfigurator.ConcurrentMessageLimit = Partitions;
        endpointConfigurator.UsePartitioner<PosJournalUploaded>(endpointConfigurator.CreatePartitioner(Partitions), c => StoreKey(c.Message.StoreNumber));
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<UnmappedIdException>();
            r.Ignore<PosJournalRejectedException>();
            r.Exponential(15, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(25));
        });
        endpointConfigurator.UseStockSyncEntityFrameworkOutbox(context);
    }

    private static Guid StoreKey(string? storeNumber) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(storeNumber ?? string.Empty)).AsSpan(0, 16));
}
