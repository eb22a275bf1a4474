using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Persistence;
using StockSync.Persistence.Adapters;

namespace StockSync.Adapters.Ecommerce.Webhooks;

/// <summary>
/// The storefront's checkout holds (<c>checkout_holds</c>): a checkout holds its lines once; its deletion releases
/// them, or the order that completes it takes them over. Each ends a hold at most once, whatever order the webhooks
/// arrive in: an end that comes before its start leaves a row that makes the late start hold nothing.
/// Only what the ledger actually applied is released or handed over (read from its idempotency table): a hold the
/// ledger refused (no stock left when the checkout started) has nothing to give back.
/// </summary>
public sealed class CheckoutHolds(StockSyncDbContext db)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records the checkout's hold and returns its reservations; nothing when the checkout was seen before.</summary>
    public async Task<IReadOnlyList<StockReserved>> HoldAsync(
        string system, string token, string reservationId, string locationId, IReadOnlyList<OrderLine> lines, string channelId, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (await FindAsync(system, token, ct).ConfigureAwait(false) is not null)
        {
            return [];
        }

        var held = lines.Select(l => new HeldLine(l.Sku, l.Quantity, StableIds.Bounded($"checkout:{token}:{l.Sku}:hold"))).ToList();
        db.Set<CheckoutHoldRecord>().Add(new CheckoutHoldRecord
        {
            Source = system,
            CheckoutToken = token,
            ReservationId = reservationId,
            LocationId = locationId,
            Lines = JsonSerializer.Serialize(held, Json),
            State = CheckoutHoldState.Held,
            HeldAt = at.UtcDateTime,
        });
        return [.. held.Select(l => new StockReserved
        {
            SourceSystem = system,
            SourceMessageId = l.SourceMessageId,
            OccurredAt = at,
            Sku = l.Sku,
            LocationId = locationId,
            Quantity = l.Quantity,
            ReservationId = reservationId,
            ChannelId = channelId,
        })];
    }

    /// <summary>Ends the checkout's hold as released and returns the releases of what the ledger holds for it.</summary>
    public async Task<IReadOnlyList<ReservationReleased>> ReleaseAsync(string system, string token, DateTimeOffset at, CancellationToken ct)
    {
        var hold = await EndAsync(system, token, CheckoutHoldState.Released, null, at, ct).ConfigureAwait(false);
        return hold?.ReleaseAll(at) ?? [];
    }

    /// <summary>Ends the checkout's hold as converted into <paramref name="orderId"/>; null when nothing is held for it.</summary>
    public Task<TakenHold?> TakeForOrderAsync(string system, string token, string orderId, DateTimeOffset at, CancellationToken ct) =>
        EndAsync(system, token, CheckoutHoldState.Converted, orderId, at, ct);

    private async Task<TakenHold?> EndAsync(string system, string token, string state, string? orderId, DateTimeOffset at, CancellationToken ct)
    {
        var row = await FindAsync(system, token, ct).ConfigureAwait(false);
        if (row is null)
        {
            // The end overtook the start: remember it, so the late checkouts/create holds nothing.
            db.Set<CheckoutHoldRecord>().Add(new CheckoutHoldRecord
            {
                Source = system,
                CheckoutToken = token,
                ReservationId = StableIds.Bounded($"{system}-checkout:{token}"),
                LocationId = string.Empty,
                Lines = "[]",
                State = state,
                OrderId = orderId,
                HeldAt = at.UtcDateTime,
                EndedAt = at.UtcDateTime,
            });
            return null;
        }

        if (row.State != CheckoutHoldState.Held)
        {
            return null;
        }

        row.State = state;
        row.OrderId = orderId;
        row.EndedAt = at.UtcDateTime;
        var lines = JsonSerializer.Deserialize<List<HeldLine>>(row.Lines, Json) ?? [];
        var ids = lines.Select(l => l.SourceMessageId).ToList();
        var applied = await db.ProcessedMovements.AsNoTracking()
            .Where(p => p.SourceSystem == system && ids.Contains(p.SourceMessageId))
            .Select(p => p.SourceMessageId)
            .ToListAsync(ct).ConfigureAwait(false);
        return new TakenHold(system, token, row.ReservationId, row.LocationId, [.. lines.Where(l => applied.Contains(l.SourceMessageId))]);
    }

    private Task<CheckoutHoldRecord?> FindAsync(string system, string token, CancellationToken ct) =>
        db.Set<CheckoutHoldRecord>().SingleOrDefaultAsync(h => h.Source == system && h.CheckoutToken == token, ct);
}

/// <summary>One held line: canonical SKU and units, and the id of the ledger movement that held them.</summary>
public sealed record HeldLine(string Sku, int Quantity, string SourceMessageId);

/// <summary>A checkout hold that has just ended: the lines the ledger holds for it, to release or to hand over.</summary>
public sealed record TakenHold(string System, string Token, string ReservationId, string LocationId, IReadOnlyList<HeldLine> Applied)
{
    /// <summary>Releases of every held line.</summary>
    public IReadOnlyList<ReservationReleased> ReleaseAll(DateTimeOffset at) => [.. Applied.Select(l => Release(l.Sku, l.Quantity, at))];

    /// <summary>
    /// The held units the order's lines use, as reservations fulfilment takes over where they are held, and releases
    /// of the held units the order does not use (a line the customer dropped, or fewer units than held).
    /// </summary>
    public (IReadOnlyList<HeldReservation> TakenOver, IReadOnlyList<ReservationReleased> LeftOver) HandOver(IReadOnlyList<OrderLine> orderLines, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(orderLines);
        var takenOver = new List<HeldReservation>();
        var leftOver = new List<ReservationReleased>();
        foreach (var line in Applied)
        {
            var ordered = orderLines.Where(l => l.Sku == line.Sku).Sum(l => l.Quantity);
            var take = Math.Min(line.Quantity, ordered);
            if (take > 0)
            {
                takenOver.Add(new HeldReservation { LocationId = LocationId, Sku = line.Sku, Quantity = take, ReservationId = ReservationId });
            }

            if (line.Quantity > take)
            {
                leftOver.Add(Release(line.Sku, line.Quantity - take, at));
            }
        }

        return (takenOver, leftOver);
    }

    private ReservationReleased Release(string sku, int quantity, DateTimeOffset at) => new()
    {
        SourceSystem = System,
        SourceMessageId = StableIds.Bounded($"checkout:{Token}:{sku}:release"),
        OccurredAt = at,
        Sku = sku,
        LocationId = LocationId,
        Quantity = quantity,
        ReservationId = ReservationId,
    };
}

/// <summary>Ids built from external parts, kept within the 128 characters every id column takes.</summary>
public static class StableIds
{
    /// <summary>The id as it is when it fits; otherwise its first 80 characters and a hash of the whole.</summary>
    public static string Bounded(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length <= 128 ? id : $"{id[..80]}~{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..40]}";
    }
}
