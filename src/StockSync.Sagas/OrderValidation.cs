using StockSync.Contracts.Orders;
using StockSync.Inventory;

namespace StockSync.Sagas;

/// <summary>
/// The checks every order message passes before a flow acts on it, shared by the HTTP API (a 400 with the problems)
/// and the sagas (a message from the bus that fails them is rejected with the reason, never dropped).
/// </summary>
public static class OrderValidation
{
    /// <summary>The most lines one order may have.</summary>
    public const int MaxLines = 200;

    /// <summary>The most units of one line.</summary>
    public const int MaxQuantity = 100_000;

    /// <summary>Checks an order id.</summary>
    public static IEnumerable<ValidationProblem> CheckOrderId(string? orderId)
    {
        if (MovementValidator.CheckId("orderId", orderId) is { } problem)
        {
            yield return problem;
        }
        else if (orderId!.Length > OrderIds.MaxLength)
        {
            yield return new("orderId", $"The order id cannot be longer than {OrderIds.MaxLength} characters.");
        }
    }

    /// <summary>Checks an id field (store, location, shipment…).</summary>
    public static IEnumerable<ValidationProblem> CheckId(string field, string? value, bool required = true)
    {
        if ((required || value is not null) && MovementValidator.CheckId(field, value) is { } problem)
        {
            yield return problem;
        }
    }

    /// <summary>Checks order lines: at least one, at most <see cref="MaxLines"/>, one per SKU, quantities 1 to <see cref="MaxQuantity"/>.</summary>
    public static IEnumerable<ValidationProblem> CheckLines(string field, IReadOnlyList<OrderLine>? lines)
    {
        if (lines is null || lines.Count == 0)
        {
            yield return new(field, "At least one line is required.");
            yield break;
        }

        if (lines.Count > MaxLines)
        {
            yield return new(field, $"An order cannot have more than {MaxLines} lines.");
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is null)
            {
                yield return new($"{field}[{i}]", "A line cannot be null.");
                continue;
            }

            if (MovementValidator.CheckId($"{field}[{i}].sku", lines[i].Sku) is { } sku)
            {
                yield return sku;
            }

            if (lines[i].Quantity is < 1 or > MaxQuantity)
            {
                yield return new($"{field}[{i}].quantity", $"The quantity must be between 1 and {MaxQuantity}.");
            }
        }

        foreach (var duplicate in lines.Where(l => l?.Sku is not null).GroupBy(l => l.Sku, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new(field, $"SKU '{duplicate.Key}' appears on more than one line; give each SKU one line.");
        }
    }

    /// <summary>Checks a click-and-collect request.</summary>
    public static IReadOnlyList<ValidationProblem> Check(ReserveForPickup message) =>
    [
        .. CheckOrderId(message?.OrderId),
        .. CheckId("storeId", message?.StoreId),
        .. CheckId("channelId", message?.ChannelId, required: false),
        .. CheckId("customerReference", message?.CustomerReference, required: false),
        .. CheckLines("lines", message?.Lines),
    ];

    /// <summary>Checks a shipped order.</summary>
    public static IReadOnlyList<ValidationProblem> Check(FulfillOrder message) =>
    [
        .. CheckOrderId(message?.OrderId),
        .. CheckId("channelId", message?.ChannelId, required: false),
        .. CheckLines("lines", message?.Lines),
        .. CheckReservations(message?.Reservations, message?.Lines),
    ];

    /// <summary>Checks held reservations handed to fulfillment: valid ids, at least 1 unit each, and no more of a SKU than its line orders.</summary>
    public static IEnumerable<ValidationProblem> CheckReservations(IReadOnlyList<HeldReservation>? reservations, IReadOnlyList<OrderLine>? lines)
    {
        if (reservations is null)
        {
            yield break;
        }

        for (var i = 0; i < reservations.Count; i++)
        {
            if (reservations[i] is not { } held)
            {
                yield return new($"reservations[{i}]", "A reservation cannot be null.");
                continue;
            }

            foreach (var problem in new[] { MovementValidator.CheckId($"reservations[{i}].locationId", held.LocationId), MovementValidator.CheckId($"reservations[{i}].sku", held.Sku), MovementValidator.CheckId($"reservations[{i}].reservationId", held.ReservationId) }.OfType<ValidationProblem>())
            {
                yield return problem;
            }

            if (held.Quantity < 1)
            {
                yield return new($"reservations[{i}].quantity", "A reservation holds at least 1 unit.");
            }
        }

        var ordered = (lines ?? []).Where(l => l?.Sku is not null).GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        foreach (var over in reservations.Where(r => r?.Sku is not null).GroupBy(r => r.Sku, StringComparer.Ordinal).Where(g => g.Sum(r => r.Quantity) > ordered.GetValueOrDefault(g.Key)))
        {
            yield return new("reservations", $"{over.Sum(r => r.Quantity)} × {over.Key} are held, but the lines order {ordered.GetValueOrDefault(over.Key)}.");
        }
    }

    /// <summary>
    /// Why the missing lines of a short pick cannot apply to what was asked for (<paramref name="held"/>: an order's
    /// or a shipment's lines, named by <paramref name="heldName"/>), or null when they can: at least one line, no null
    /// line, each SKU once, each within what is held. The sagas and the HTTP API ask the same question here.
    /// </summary>
    public static string? MissingLinesProblem(IEnumerable<(string Sku, int Quantity)> held, IReadOnlyList<OrderLine>? missing, string heldName = "the order's lines")
    {
        if (missing is not { Count: > 0 })
        {
            return "A short pick must name at least one missing line.";
        }

        // FirstOrDefault cannot tell a null line from no match, so null lines are looked for first.
        if (missing.Any(m => m is null))
        {
            return "A missing line cannot be null.";
        }

        var lines = held.ToList();
        if (missing.FirstOrDefault(m => m.Quantity < 1 || lines.All(l => l.Sku != m.Sku || l.Quantity < m.Quantity)) is { } bad)
        {
            return $"The missing line {bad.Sku} × {bad.Quantity} is not part of {heldName}.";
        }

        // Lines are checked one by one above: a SKU named twice could exceed what was asked for, and be written off twice.
        var repeated = missing.GroupBy(m => m.Sku, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? null : $"SKU {repeated.Key} appears on more than one missing line; name each SKU once, with all its missing units.";
    }

    /// <summary>The problems as one sentence, for a rejection reason.</summary>
    public static string Describe(IEnumerable<ValidationProblem> problems) =>
        "Invalid order: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}"));
}
