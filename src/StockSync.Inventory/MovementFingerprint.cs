using System.Security.Cryptography;
using System.Text.Json;
using StockSync.Contracts.Inventory;

namespace StockSync.Inventory;

/// <summary>
/// What a movement says, reduced to a short hash: the concrete type and every field of the record (the instant
/// normalised to UTC). The ledger keeps it beside the idempotency key, so that a second movement with the same
/// (source system, source message id) is told apart: the same content is a redelivery and applies once; different
/// content means the source reused an id (a till whose journal numbering restarted, two systems sharing a source
/// name) and is refused with a reason rather than dropped as a duplicate.
/// </summary>
public static class MovementFingerprint
{
    /// <summary>The length of a fingerprint: hex of the first 16 bytes of SHA-256.</summary>
    public const int Length = 32;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    /// <summary>The fingerprint of <paramref name="movement"/>.</summary>
    public static string Of(StockMovement movement)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var normalised = movement with { OccurredAt = movement.OccurredAt.ToUniversalTime() };
        var type = movement.GetType();
        var json = JsonSerializer.SerializeToUtf8Bytes(normalised, type, Options);
        var name = System.Text.Encoding.UTF8.GetBytes(type.FullName + "\n");
        var hash = SHA256.HashData([.. name, .. json]);
        return Convert.ToHexStringLower(hash.AsSpan(0, Length / 2));
    }

    /// <summary>The refusal for a movement whose id was applied before with other content.</summary>
    public static MovementOutcome.Rejected Conflict(StockMovement movement, string appliedFingerprint, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(movement);
        return new MovementOutcome.Rejected(
            RejectionKind.ConflictingDuplicate,
            $"the id {movement.SourceSystem}/{movement.SourceMessageId} was applied before with different content "
            + $"(fingerprint {appliedFingerprint}, this one {fingerprint}); a redelivery must repeat the movement exactly. "
            + "The source reused an id (a till whose journal numbering restarted?): send the movement under a new id. Nothing was applied.");
    }
}
