using StockSync.Inventory;

namespace StockSync.Ledger;

/// <summary>
/// A movement the ledger refuses. The message names the movement, its key and the reason, and lands in the fault
/// and the error queue's <c>MT-Fault-Message</c> header, where an operator reads it before fixing and replaying.
/// </summary>
public sealed class MovementRejectedException : Exception
{
    public MovementRejectedException()
    {
    }

    public MovementRejectedException(string message)
        : base(message)
    {
    }

    public MovementRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MovementRejectedException(RejectionKind kind, string movementType, string sourceSystem, string sourceMessageId, string reason)
        : base($"{movementType} {sourceSystem}/{sourceMessageId} rejected ({kind}): {reason}")
    {
        Kind = kind;
    }

    /// <summary>Why the movement was refused.</summary>
    public RejectionKind Kind { get; }
}
