using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// Structural checks on a movement, independent of stock: present ids, sensible quantities, known enum values.
/// Used by every intake (HTTP, bus, adapters) so that bad input is refused with the same words everywhere.
/// </summary>
public static class MovementValidator
{
    /// <summary>The largest quantity one movement may carry; anything above is treated as a keying error.</summary>
    public const int MaxQuantity = 1_000_000;

    /// <summary>The longest id (SKU, location, source system, message id) accepted.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Returns every problem found, as <c>field: message</c> pairs; empty when the movement is valid.</summary>
    public static IReadOnlyList<ValidationProblem> Validate(StockMovement? movement)
    {
        if (movement is null)
        {
            return [new("movement", "The movement is missing.")];
        }

        var problems = new List<ValidationProblem>();
        RequireId(problems, "sourceSystem", movement.SourceSystem);
        RequireId(problems, "sourceMessageId", movement.SourceMessageId);
        RequireId(problems, "sku", movement.Sku);
        RequireId(problems, "locationId", movement.LocationId);

        if (movement.OccurredAt == default)
        {
            problems.Add(new("occurredAt", "The time the movement occurred is required."));
        }

        if (movement.SourceSequence is < 0)
        {
            problems.Add(new("sourceSequence", "The sequence number cannot be negative."));
        }

        CheckQuantity(problems, movement);
        CheckTypeSpecific(problems, movement);
        return problems;
    }

    private static void CheckQuantity(List<ValidationProblem> problems, StockMovement movement)
    {
        var q = movement.Quantity;
        switch (movement)
        {
            case InventoryAdjusted when q == 0:
                problems.Add(new("quantity", "An adjustment must change the quantity (it cannot be zero)."));
                break;
            case InventoryAdjusted when Math.Abs((long)q) > MaxQuantity:
            case StockCounted when q > MaxQuantity:
                problems.Add(new("quantity", $"The quantity cannot exceed {MaxQuantity} units."));
                break;
            case StockCounted when q < 0:
                problems.Add(new("quantity", "A counted quantity cannot be negative."));
                break;
            case InventoryAdjusted or StockCounted:
                break;
            case not null when q <= 0:
                problems.Add(new("quantity", "The quantity must be positive."));
                break;
            case not null when q > MaxQuantity:
                problems.Add(new("quantity", $"The quantity cannot exceed {MaxQuantity} units."));
                break;
        }
    }

    private static void CheckTypeSpecific(List<ValidationProblem> problems, StockMovement movement)
    {
        switch (movement)
        {
            case InventoryAdjusted adjusted:
                RequireId(problems, "reasonCode", adjusted.ReasonCode);
                if (adjusted.Bucket is not (InventoryBucket.OnHand or InventoryBucket.Damaged or InventoryBucket.SafetyStock))
                {
                    problems.Add(new("bucket", "Only OnHand, Damaged and SafetyStock can be adjusted directly."));
                }

                break;
            case TransferShipped shipped:
                RequireId(problems, "transferId", shipped.TransferId);
                RequireId(problems, "destinationLocationId", shipped.DestinationLocationId);
                if (string.Equals(shipped.DestinationLocationId, shipped.LocationId, StringComparison.Ordinal))
                {
                    problems.Add(new("destinationLocationId", "A transfer cannot ship to the location it leaves."));
                }

                break;
            case TransferReceived received:
                RequireId(problems, "transferId", received.TransferId);
                RequireId(problems, "originLocationId", received.OriginLocationId);
                if (string.Equals(received.OriginLocationId, received.LocationId, StringComparison.Ordinal))
                {
                    problems.Add(new("originLocationId", "A transfer cannot be received from the location it arrives at."));
                }

                break;
            case StockReserved reserved:
                RequireId(problems, "reservationId", reserved.ReservationId);
                break;
            case ReservationReleased released:
                RequireId(problems, "reservationId", released.ReservationId);
                break;
            case ReservationCommitted committed:
                RequireId(problems, "reservationId", committed.ReservationId);
                RequireId(problems, "orderId", committed.OrderId);
                break;
            case FulfillmentShipped shipped:
                RequireId(problems, "orderId", shipped.OrderId);
                break;
            case AllocationReleased released:
                RequireId(problems, "orderId", released.OrderId);
                break;
            case QuarantineDispositioned dispositioned when !Enum.IsDefined(dispositioned.Disposition):
                problems.Add(new("disposition", "The disposition is not one of Restock, Damaged, ReturnToVendor, Dispose."));
                break;
        }
    }

    /// <summary>Checks one id (SKU, location, source system…): present, at most <see cref="MaxIdLength"/> characters, no control characters.</summary>
    /// <returns>The problem, or <see langword="null"/> when the id is acceptable.</returns>
    public static ValidationProblem? CheckId(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? new(field, "A value is required.")
        : value.Length > MaxIdLength ? new(field, $"The value cannot be longer than {MaxIdLength} characters.")
        : value.Any(char.IsControl) ? new(field, "The value cannot contain control characters.")
        : null;

    private static void RequireId(List<ValidationProblem> problems, string field, string? value)
    {
        if (CheckId(field, value) is { } problem)
        {
            problems.Add(problem);
        }
    }
}

/// <summary>One problem with one field of an input.</summary>
/// <param name="Field">The field's wire name (camelCase).</param>
/// <param name="Message">What is wrong, in words a person can act on.</param>
public sealed record ValidationProblem(string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}
