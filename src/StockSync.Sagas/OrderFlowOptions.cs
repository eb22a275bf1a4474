using System.ComponentModel.DataAnnotations;

namespace StockSync.Sagas;

/// <summary>The <c>Orders</c> configuration section: the timings and policies of the order flows.</summary>
public sealed class OrderFlowOptions : IValidatableObject
{
    public const string Section = "Orders";

    /// <summary>How long a click-and-collect reservation is held unpaid before it is released.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PickupHold { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an order ready for pickup waits for the customer before its units go back on sale.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan PickupWindow { get; set; } = TimeSpan.FromHours(72);

    /// <summary>When, after the order is ready, the customer is reminded (must fall inside the window); empty for no reminder.</summary>
    public TimeSpan? PickupReminderAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How long a returned unit may wait in quarantine for inspection before the return is escalated.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan ReturnInspectionSla { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How many alternative stores a rejected click-and-collect order names.</summary>
    [Range(0, 50)]
    public int AlternativeStores { get; set; } = 3;

    /// <summary>
    /// Whether a short pick also writes the missing units off OnHand (reason <c>SHORT_PICK</c>), so the shelf's
    /// phantom stock is not offered again. On by default.
    /// </summary>
    public bool ShortPickWritesOffOnHand { get; set; } = true;

    /// <summary>
    /// How long a store event or cancellation for an order no flow knows is retried (it may have overtaken its order)
    /// before it faults to the saga's error queue with the order id in the reason.
    /// </summary>
    /// <remarks>Empty means the default, 1 s, 5 s, 15 s (the configuration binder appends to an array's initial items, so the default is not one).</remarks>
    public TimeSpan[] UnknownOrderRetryIntervals { get; set; } = [];

    /// <summary>The unknown-order retry intervals in force.</summary>
    public TimeSpan[] UnknownOrderRetries => UnknownOrderRetryIntervals.Length > 0 ? UnknownOrderRetryIntervals : [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UnknownOrderRetryIntervals.Any(i => i < TimeSpan.Zero || i > TimeSpan.FromMinutes(10)))
        {
            yield return new ValidationResult($"{Section}:{nameof(UnknownOrderRetryIntervals)} must be between 0 and 10 minutes each.", [nameof(UnknownOrderRetryIntervals)]);
        }

        if (PickupReminderAfter is { } reminder && (reminder <= TimeSpan.Zero || reminder >= PickupWindow))
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(PickupReminderAfter)} must be positive and shorter than {Section}:{nameof(PickupWindow)} ({PickupWindow}).",
                [nameof(PickupReminderAfter)]);
        }
    }
}
